# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scwkms_public_key, scwkms_sign and scwkms_verify against answers that are not what they should be
(malformed 200 bodies, a verify answer that is not a JSON boolean), and the empty message."""

from __future__ import annotations

import base64
import hashlib

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils import _client
from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerError
from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_public_key, scwkms_sign, scwkms_verify
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import SIGN, api_calls, create_key, task

pytest.importorskip('scwkms_emulator')

EMPTY_SHA256 = hashlib.sha256(b'').hexdigest()
# A well-formed (not valid) ECDSA signature: r = s = 1.
DER_SIGNATURE = base64.b64encode(b'\x30\x06\x02\x01\x01\x02\x01\x01').decode()


def malformed(call):
    """What the client raises for a 200 answer of the wrong shape (the client's shape checks)."""
    def raising(self, *args, **kwargs):
        raise KeyManagerError('%s answered HTTP 200 with a body that is not what it should be: missing field'
                              % call, 'GET', '/x', 200, 'malformed_response')
    return raising


@pytest.mark.parametrize('method, module, extra', [
    ('get_public_key', scwkms_public_key, {}),
    ('sign', scwkms_sign, {'content': 'x'}),
    ('verify', scwkms_verify, {'content': 'x', 'signature': DER_SIGNATURE, 'remote': True, 'algorithm': 'ec_p256_sha256'}),
    ('get_public_key', scwkms_verify, {'content': 'x', 'signature': DER_SIGNATURE}),
    ('list_keys', scwkms_sign, {'content': 'x'}),
])
def test_malformed_answers_are_clean_failures(km_emulator, monkeypatch, method, module, extra):
    key = create_key(km_emulator, 'ec_p256_sha256', name='shape')
    monkeypatch.setattr(_client.KeyManagerClient, method, malformed(method))
    reference = 'shape' if method == 'list_keys' else key['id']
    result, failed = task(module, km_emulator, key=reference, **extra)
    assert failed and result['msg'].startswith('Key Manager API call failed: GET /x: HTTP 200 malformed_response: ')
    assert result['api_error']['type'] == 'malformed_response'


@pytest.mark.parametrize('answer', [None, b'', 'c2lnbmF0dXJl', {'signature': 'x'}])
@pytest.mark.parametrize('algorithm', ['ec_p256_sha256', 'rsa_pkcs1_2048_sha256'])
def test_sign_answer_without_a_signature_is_a_clean_failure(km_emulator, monkeypatch, tmp_path, answer, algorithm):
    key = create_key(km_emulator, algorithm)
    monkeypatch.setattr(_client.KeyManagerClient, 'sign', lambda self, *args, **kwargs: answer)
    dest = tmp_path / 'sig'
    result, failed = task(scwkms_sign, km_emulator, key=key['id'], content='x', dest=str(dest))
    assert failed and 'signature' in result['msg'] and not dest.exists(), result


@pytest.mark.parametrize('answer', ['false', 'true', 1, {}, None])
def test_remote_verify_is_valid_only_for_true(km_emulator, monkeypatch, answer):
    key = create_key(km_emulator, 'ec_p256_sha256')
    monkeypatch.setattr(_client.KeyManagerClient, 'verify', lambda self, *args, **kwargs: answer)
    result, failed = task(scwkms_verify, km_emulator, key=key['id'], content='x', signature=DER_SIGNATURE, remote=True)
    assert result.get('valid') is not True, result
    assert failed and 'not a JSON boolean' in result['msg']


@pytest.mark.parametrize('algorithm', ['ec_p256_sha256', 'rsa_pss_2048_sha256'])
def test_empty_content_and_empty_content_b64_both_sign_the_empty_message(km_emulator, algorithm):
    key = create_key(km_emulator, algorithm)
    signatures = []
    for given in (dict(content=''), dict(content_b64='')):
        result, failed = task(scwkms_sign, km_emulator, key=key['id'], verify=True, **given)
        assert not failed, (given, result)
        assert result['digest'] == EMPTY_SHA256 and result['verified']
        signatures.append(result['signature'])
    for given in (dict(content=''), dict(content_b64='')):
        result, failed = task(scwkms_verify, km_emulator, key=key['id'], signature=signatures[0], **given)
        assert not failed and result['valid'] and result['digest'] == EMPTY_SHA256, (given, result)


def test_an_empty_digest_is_still_an_error(km_emulator):
    km_emulator.clear_requests()
    result, failed = task(scwkms_sign, km_emulator, key='00000000-0000-4000-8000-000000000000', digest='')
    assert failed and result['msg'] == 'digest: the digest is empty'
    assert SIGN not in api_calls(km_emulator)
