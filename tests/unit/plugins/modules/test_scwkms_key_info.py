# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scwkms_key_info end to end against the in-process emulator."""

from __future__ import annotations

import uuid

import pytest

from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_key_info
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import api_calls, client_for, create_key, task

pytest.importorskip('scwkms_emulator')


def info(emulator, **args):
    return task(scwkms_key_info, emulator, **args)


@pytest.mark.parametrize('key, message', [
    ('{%s}' % uuid.uuid4(), 'looks like a key id but is not one'),
    (str(uuid.uuid4())[:-1], 'looks like a key id but is not one'),
    ('billing ', 'leading or trailing whitespace'),
])
def test_bad_references_fail_before_any_request(km_emulator, key, message):
    result, failed = info(km_emulator, key=key)
    assert failed and result['msg'].startswith('key: ') and message in result['msg']
    assert api_calls(km_emulator) == {}


def test_padded_name_filter_fails_before_any_request(km_emulator):
    result, failed = info(km_emulator, name=' billing')
    assert failed and result['msg'].startswith('name: ') and api_calls(km_emulator) == {}


def test_one_key_by_name_by_id_and_scheduled(km_emulator):
    key = create_key(km_emulator, 'aes_256_gcm', name='described')
    create_key(km_emulator, 'aes_256_gcm', name='described-too')
    km_emulator.clear_requests()
    result, failed = info(km_emulator, key='described')
    assert not failed and [found['id'] for found in result['kms_keys']] == [key['id']]
    assert api_calls(km_emulator) == {'GET /keys': 1}
    client_for(km_emulator).delete_key(key['id'])
    result, _failed = info(km_emulator, key='scw-kms://regions/fr-par/keys/%s' % key['id'])
    assert result['kms_keys'][0]['state'] == 'scheduled_for_deletion' and result['count'] == 1
    result, _failed = info(km_emulator, key='described')
    assert result['kms_keys'][0]['purge_at'] is not None
    result, _failed = info(km_emulator, key=str(uuid.uuid4()))
    assert result['kms_keys'] == [] and result['count'] == 0


def test_filters(km_emulator):
    create_key(km_emulator, 'aes_256_gcm', name='a')
    signer = create_key(km_emulator, 'ec_p256_sha256', name='b')
    result, _failed = info(km_emulator, algorithm='ec_p256_sha256', include_public_key=True)
    assert [key['id'] for key in result['kms_keys']] == [signer['id']]
    assert result['kms_keys'][0]['public_key_pem'].startswith('-----BEGIN ')
    result, _failed = info(km_emulator, name='a', scheduled_for_deletion='include')
    assert [key['name'] for key in result['kms_keys']] == ['a']
