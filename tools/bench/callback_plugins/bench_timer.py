# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark callback: the wall time of every task (first start to last result), written as JSON.

Enabled by tools/bench.py only (ANSIBLE_CALLBACKS_ENABLED=bench_timer); the file named by the
BENCH_TIMINGS environment variable receives {"tasks": [{"name", "seconds", "results"}], "play_seconds"}.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.tasks = []
        self.current = None
        self.started = time.perf_counter()

    def _close(self):
        if self.current is not None:
            self.current['seconds'] = self.current.pop('last', time.perf_counter()) - self.current.pop('start')
            self.tasks.append(self.current)
            self.current = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        self.current = {'name': task.get_name(), 'start': time.perf_counter(), 'results': 0}

    def _result(self, result, *args, **kwargs):
        if self.current is not None:
            self.current['last'] = time.perf_counter()
            self.current['results'] += 1

    v2_runner_on_ok = v2_runner_on_failed = v2_runner_on_skipped = v2_runner_on_unreachable = _result

    def v2_playbook_on_stats(self, stats):
        self._close()
        path = os.environ.get('BENCH_TIMINGS')
        if path:
            with open(path, 'w') as handle:
                json.dump({'tasks': self.tasks, 'play_seconds': time.perf_counter() - self.started}, handle)
