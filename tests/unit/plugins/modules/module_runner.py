# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Running a module's main() in this process: exit_json and fail_json raise instead of exiting."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes


class Exit(Exception):
    def __init__(self, result, failed):
        super(Exit, self).__init__(result.get('msg'))
        self.result = result
        self.failed = failed


def run_module(main, args, check_mode=False, diff=False, masked=False):
    """(result, failed) of one module run; exit_json/fail_json raise instead of exiting. With masked, the
    result is what Ansible shows: every value registered with no_log (or mask()) is replaced."""
    payload = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff, _ansible_remote_tmp='/tmp',
                   _ansible_keep_remote_files=False)
    try:
        from ansible.module_utils.testing import patch_module_args
        context = patch_module_args(payload)
    except ImportError:  # ansible-core < 2.19
        from unittest import mock
        context = mock.patch.object(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': payload})))

    def shown(module, result):
        return basic.remove_values(result, module.no_log_values) if masked else result

    def exit_json(self, **result):
        raise Exit(shown(self, result), False)

    def fail_json(self, **result):
        raise Exit(shown(self, result), True)

    with context, pytest.MonkeyPatch.context() as patch:
        patch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
        patch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
        with pytest.raises(Exit) as caught:
            main()
    return caught.value.result, caught.value.failed
