# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scwkms_vars_file: create, idempotence by decrypted content, names-only diff, check mode, file mode, errors."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils import _sealed_file
from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_vars_file
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import ENCRYPT, DECRYPT, api_calls, client_for, create_key, task
from ansible_collections.scwkms.key_manager.tests.unit.plugins.vars.vars_support import read_vars_file

pytest.importorskip('scwkms_emulator')

GET_KEY = 'GET /keys/{key_id}'
VALUES = {'db_password': 'pa55-Word-db-7731', 'api_token': 'tok-9c1f-secret', 'ports': [80, 443]}


@pytest.fixture
def key(km_emulator):
    created = create_key(km_emulator, 'aes_256_gcm', name='vars-file')
    km_emulator.clear_requests()
    return created


def write(km_emulator, path, check_mode=False, diff=True, **args):
    return task(scwkms_vars_file, km_emulator, check_mode=check_mode, diff=diff, path=str(path), **args)


def test_creates_a_0600_sealed_file_the_vars_plugin_reads(km_emulator, key, tmp_path):
    path = tmp_path / 'secrets.scwkms'
    result, failed = write(km_emulator, path, key=key['id'], content=VALUES)
    assert not failed, result
    assert result['changed'] and result['added'] == ['api_token', 'db_password', 'ports']
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert _sealed_file.load(path.read_text(), str(path)).key == _sealed_file.key_uri(key['id'], 'fr-par')
    assert api_calls(km_emulator) == {GET_KEY: 1, ENCRYPT: 1}
    assert read_vars_file(km_emulator, path) == VALUES
    shown = json.dumps(result)
    assert all(value not in shown for value in ('pa55-Word-db-7731', 'tok-9c1f-secret'))
    assert 'db_password' in result['diff'][0]['after'] and result['diff'][0]['before'] == ''


def test_same_variables_cost_one_decrypt_and_change_nothing(km_emulator, key, tmp_path):
    path = tmp_path / 'secrets.scwkms'
    write(km_emulator, path, key=key['id'], content=VALUES)
    before = path.read_bytes()
    km_emulator.clear_requests()
    for check_mode in (True, False):
        result, failed = write(km_emulator, path, check_mode=check_mode, content=dict(VALUES))
        assert not failed and not result['changed'], result
        assert 'diff' not in result or result['diff'] == []
    assert path.read_bytes() == before
    assert api_calls(km_emulator) == {DECRYPT: 2}


def test_diff_names_variables_never_values_and_check_mode_writes_nothing(km_emulator, key, tmp_path):
    path = tmp_path / 'secrets.scwkms'
    write(km_emulator, path, key=key['id'], content=VALUES)
    before = path.read_bytes()
    km_emulator.clear_requests()
    new = {'db_password': 'rotated-Secret-0042', 'ports': [80, 443], 'smtp_password': 'smtp-Secret-77'}
    result, failed = write(km_emulator, path, check_mode=True, content=new)
    assert not failed and result['changed']
    assert (result['added'], result['removed'], result['updated']) == (['smtp_password'], ['api_token'], ['db_password'])
    diff = result['diff'][0]
    assert 'db_password (old value)' in diff['before'] and 'db_password (new value)' in diff['after']
    assert 'api_token' in diff['before'] and 'smtp_password' in diff['after']
    shown = json.dumps(result)
    assert not any(secret in shown for secret in ('rotated-Secret-0042', 'smtp-Secret-77', 'pa55-Word-db-7731'))
    assert path.read_bytes() == before and api_calls(km_emulator) == {DECRYPT: 1}
    result, failed = write(km_emulator, path, content=new)
    assert not failed and result['changed']
    assert read_vars_file(km_emulator, path) == new


def test_another_key_rewrites_and_mode_is_applied(km_emulator, key, tmp_path):
    path = tmp_path / 'secrets.scwkms'
    write(km_emulator, path, key=key['id'], content=VALUES)
    other = create_key(km_emulator, 'aes_256_gcm', name='vars-file-other')
    result, failed = write(km_emulator, path, key='vars-file-other', content=VALUES, project_id=key['project_id'])
    assert not failed and result['changed'] and result['key_id'] == other['id'], result
    assert '# key: ' in result['diff'][0]['before'] and other['id'] in result['diff'][0]['after']
    os.chmod(path, 0o644)
    result, failed = write(km_emulator, path, content=VALUES)
    assert not failed and result['changed'] and stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_errors_name_the_file_and_never_a_value(km_emulator, key, tmp_path):
    path = tmp_path / 'secrets.scwkms'
    result, failed = write(km_emulator, path, content=VALUES)
    assert failed and 'key: required to create %s' % path in result['msg']
    write(km_emulator, path, key=key['id'], content=VALUES)
    client_for(km_emulator).disable_key(key['id'])
    result, failed = write(km_emulator, path, content={'db_password': 'x'})
    assert failed and 'disabled' in result['msg'], result
    assert 'pa55-Word-db-7731' not in json.dumps(result)
    path.write_text('not: a sealed file\n')
    result, failed = write(km_emulator, path, key=key['id'], content=VALUES)
    assert failed and str(path) in result['msg'] and 'line 1 is not one of' in result['msg'], result
