# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The harness in tools/: emulator process handling, connection variables, summaries, the collection copy.

``tools`` is imported from the repository root, which `make units` puts on PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
import uuid

import pytest
from scwkms_emulator.testing import running_capture_server

from tools import collection_copy, connection_vars, emulator, pip_bootstrap, summary


def process_exists(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_connection_vars_have_the_shapes_the_modules_accept():
    variables = connection_vars.connection_vars('http://127.0.0.1:1234')
    assert variables['scwkms_api_url'] == 'http://127.0.0.1:1234'
    assert variables['scwkms_region'] == 'fr-par'
    assert re.match(r'^SCW[A-Z0-9]{17}$', variables['scwkms_access_key'])
    for name in ('scwkms_secret_key', 'scwkms_project_id'):
        assert str(uuid.UUID(variables[name])) == variables[name]
    assert connection_vars.connection_vars('x')['scwkms_secret_key'] != variables['scwkms_secret_key']


def test_emulator_is_stopped_by_pid_even_when_the_block_fails():
    with pytest.raises(RuntimeError):
        with emulator.running_emulator(python=sys.executable) as running:
            pid = running.pid
            assert running.url.startswith('http://127.0.0.1:')
            assert running.request_log()['requests'] == []
            raise RuntimeError('the block failed')
    assert not process_exists(pid)


def test_api_calls_summary_counts_routes_and_status_classes():
    log = {
        'requests': [{'route': 'GET /keys', 'status': 200}, {'route': 'GET /keys', 'status': 200},
                     {'route': 'POST /keys', 'status': 404}, {'route': 'POST /keys', 'status': None}],
        'counts': {'GET /keys': 2, 'POST /keys': 2},
    }
    assert summary.api_calls_lines(log) == [
        'API calls: 4 (2xx: 2, 4xx: 1, no answer: 1)',
        '  2  GET /keys',
        '  2  POST /keys',
    ]


def test_stages_report_names_the_failed_stages():
    results = [summary.StageResult('sanity', 0, 75.4), summary.StageResult('lint', 2, 3.0)]
    report = summary.stages_report(results, pending='pytest')
    assert '  sanity  passed  1m15s' in report
    assert '  lint    FAILED  3s' in report
    assert 'lint failed' in report


def test_pip_bootstrap_stand_in_is_named_for_ansible_tests_pip_and_compiles():
    assert re.match(r'^\d+\.\d+(\.\d+)?$', pip_bootstrap.ansible_test_pip_version())
    compile(pip_bootstrap.STAND_IN, 'get_pip.py', 'exec')


def test_collection_copy_takes_what_git_would_commit():
    if subprocess.run(['git', 'rev-parse'], cwd=collection_copy.REPO_ROOT, capture_output=True, check=False).returncode:
        pytest.skip('not a git checkout')
    files = collection_copy.files_git_would_commit()
    assert 'galaxy.yml' in files and 'tools/collection_copy.py' in files
    assert not [path for path in files if path.startswith(('.venv/', '.build/', 'tests/output/')) or '__pycache__' in path]


def test_integration_vars_name_the_capture_server_only_when_there_is_one():
    assert 'scwkms_capture_url' not in connection_vars.connection_vars('http://127.0.0.1:1234')
    with running_capture_server() as capture:
        variables = connection_vars.connection_vars('http://127.0.0.1:1234', capture_url=capture.url)
        assert variables['scwkms_capture_url'] == capture.url
        with urllib.request.urlopen(capture.url + '/_capture/requests', timeout=5) as response:
            assert json.load(response) == {'requests': []}
