# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scwkms_data_key in one process against the in-process emulator: every request counted."""

from __future__ import annotations

import base64

import pytest

from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_data_key, scwkms_decrypt
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import (
    GET_KEY, LIST, api_calls, client_for, create_key, task,
)

pytest.importorskip('scwkms_emulator')

GENERATE = 'POST /keys/{key_id}/generate-data-key'


def test_without_plaintext_by_default_one_request(km_emulator):
    key = create_key(km_emulator, 'aes_256_gcm', 'dk-aes')
    km_emulator.clear_requests()
    result, failed = task(scwkms_data_key, km_emulator, key=key['id'])
    assert not failed, result
    assert (result['changed'], result['plaintext_b64'], result['algorithm']) == (False, None, 'aes_256_gcm')
    assert len(base64.b64decode(result['ciphertext'])) == 65
    assert api_calls(km_emulator) == {GENERATE: 1}


def test_plaintext_when_asked_and_the_ciphertext_decrypts_to_it(km_emulator):
    key = create_key(km_emulator, 'aes_256_gcm', 'dk-aes')
    km_emulator.clear_requests()
    result, failed = task(scwkms_data_key, km_emulator, check_mode=True, key='dk-aes', without_plaintext=False)
    assert not failed, result
    plaintext = base64.b64decode(result['plaintext_b64'])
    assert len(plaintext) == 32
    assert api_calls(km_emulator) == {LIST: 1, GENERATE: 1}
    opened, failed = task(scwkms_decrypt, km_emulator, key=key['id'], ciphertext=result['ciphertext'],
                          return_plaintext=True)
    assert (failed, base64.b64decode(opened['plaintext_b64'])) == (False, plaintext)


@pytest.mark.parametrize('algorithm, message', [
    ('rsa_oaep_2048_sha256', 'is an asymmetric_encryption key (rsa_oaep_2048_sha256): it cannot generate data keys; '
                             'only aes_256_gcm keys can'),
    ('ec_p256_sha256', 'is an asymmetric_signing key (ec_p256_sha256): it cannot generate data keys'),
])
def test_keys_that_cannot(km_emulator, algorithm, message):
    key = create_key(km_emulator, algorithm, 'dk-other')
    km_emulator.clear_requests()
    result, failed = task(scwkms_data_key, km_emulator, key='dk-other')
    assert failed and message in result['msg']
    assert api_calls(km_emulator) == {LIST: 1}
    km_emulator.clear_requests()
    result, failed = task(scwkms_data_key, km_emulator, key=key['id'])
    assert failed and message in result['msg'] and 'HTTP 412' in result['msg']
    assert api_calls(km_emulator) == {GENERATE: 1, GET_KEY: 1}


def test_disabled_and_missing(km_emulator):
    key = create_key(km_emulator, 'aes_256_gcm', 'dk-aes')
    client_for(km_emulator).disable_key(key['id'])
    result, failed = task(scwkms_data_key, km_emulator, key=key['id'])
    assert failed and 'is disabled: only enabled keys can generate data keys' in result['msg']
    result, failed = task(scwkms_data_key, km_emulator, key='0b3c3f4e-0000-4000-8000-000000000000')
    assert failed and 'does not exist in region fr-par' in result['msg']
