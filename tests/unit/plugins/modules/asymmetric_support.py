# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Running scwkms_public_key / scwkms_sign / scwkms_verify in one process against the in-process emulator."""

from __future__ import annotations

import json
import uuid

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

SECRET = str(uuid.uuid4())
PROJECT = str(uuid.uuid4())


class Exit(Exception):
    def __init__(self, result, failed):
        super(Exit, self).__init__(result.get('msg'))
        self.result = result
        self.failed = failed


def run_module(main, args, check_mode=False, diff=False):
    """(result, failed) of one module run; exit_json/fail_json raise instead of exiting."""
    payload = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff, _ansible_remote_tmp='/tmp',
                   _ansible_keep_remote_files=False)
    try:
        from ansible.module_utils.testing import patch_module_args
        context = patch_module_args(payload)
    except ImportError:  # ansible-core < 2.19
        from unittest import mock
        context = mock.patch.object(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': payload})))

    def exit_json(self, **result):
        raise Exit(result, False)

    def fail_json(self, **result):
        raise Exit(result, True)

    with context, pytest.MonkeyPatch.context() as patch:
        patch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
        patch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
        with pytest.raises(Exit) as caught:
            main()
    return caught.value.result, caught.value.failed


def connection(emulator, **options):
    args = {'api_url': emulator.url, 'secret_key': SECRET, 'project_id': PROJECT, 'region': 'fr-par',
            'max_retries': 0}
    args.update(options)
    return args


def client_for(emulator):
    from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerClient
    from ansible_collections.scwkms.key_manager.plugins.module_utils._credentials import resolve_settings
    settings = resolve_settings({'api_url': emulator.url, 'secret_key': SECRET, 'project_id': PROJECT,
                                 'region': 'fr-par'}, environ={})
    return KeyManagerClient(settings)


def create_key(emulator, algorithm, name=None):
    return client_for(emulator).create_key(name=name or 'test-%s' % algorithm, algorithm=algorithm, protected=False)


def api_calls(emulator):
    """Requests per route since the last clear, e.g. {'GET /keys/{key_id}/public-key': 1}."""
    return dict((route, count) for route, count in emulator.counts().items() if count)
