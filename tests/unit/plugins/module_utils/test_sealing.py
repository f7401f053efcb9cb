# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_sealing against the in-process emulator: forms, request counts, rotations and every refusal."""

from __future__ import annotations

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils import _envelope, _sealing
from ansible_collections.scwkms.key_manager.plugins.module_utils._errors import UserError
from ansible_collections.scwkms.key_manager.plugins.module_utils._sealing import SealingError, seal, unseal
from ansible_collections.scwkms.key_manager.plugins.module_utils._target import KeyNotFound, Target
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import GET_KEY, PUBLIC_KEY, api_calls

pytest.importorskip('scwkms_emulator')

ENCRYPT = 'POST /keys/{key_id}/encrypt'
DECRYPT = 'POST /keys/{key_id}/decrypt'
SECRET = b'the launch code is 0000'


def make_key(api, algorithm='aes_256_gcm', name='sealing'):
    key = api.client.create_key(name=name, algorithm=algorithm, protected=False)
    api.emulator.clear_requests()
    return key


def by_id(key, read=False):
    return Target(key['id'], 'fr-par', key if read else None, key['id'])


def test_direct_symmetric_costs_one_request_with_the_algorithm_given(api):
    key = make_key(api)
    sealed = seal(api.client, by_id(key), SECRET, b'ad', algorithm='aes_256_gcm')
    assert sealed.form == 'direct' and sealed.ciphertext[:5] == b'\x01\x00\x00\x00\x01'
    assert api_calls(api.emulator) == {ENCRYPT: 1}
    api.emulator.clear_requests()
    assert unseal(api.client, by_id(key), sealed.ciphertext, b'ad') == (SECRET, 'direct', None)
    assert api_calls(api.emulator) == {DECRYPT: 1}


def test_without_the_algorithm_the_key_is_read_once(api):
    key = make_key(api)
    assert seal(api.client, by_id(key), SECRET).form == 'direct'
    assert api_calls(api.emulator) == {GET_KEY: 1, ENCRYPT: 1}


@pytest.mark.parametrize('size, envelope, form', [
    (65535, 'auto', 'direct'), (65536, 'auto', 'envelope'), (0, 'auto', 'envelope'), (10, 'always', 'envelope'),
])
def test_symmetric_forms_and_one_request_each_way(api, size, envelope, form):
    key = make_key(api)
    plaintext = bytes(range(256)) * (size // 256) + bytes(size % 256)
    sealed = seal(api.client, by_id(key, read=True), plaintext, b'row', envelope)
    assert sealed.form == form
    assert api_calls(api.emulator) == {ENCRYPT: 1}
    if form == 'envelope':
        assert _envelope.unpack(sealed.ciphertext)[0][:5] == b'\x01\x00\x00\x00\x01'
        assert len(sealed.ciphertext) == size + 99
    api.emulator.clear_requests()
    assert unseal(api.client, by_id(key), sealed.ciphertext, b'row') == (plaintext, form, None)
    assert api_calls(api.emulator) == {DECRYPT: 1}


def test_envelope_never_refuses_too_large_before_any_request(api):
    key = make_key(api)
    with pytest.raises(SealingError, match='the plaintext is 65536 bytes, but Key Manager encrypts 1 to 65535 bytes '
                                           'directly; use envelope: auto or always'):
        seal(api.client, by_id(key, read=True), bytes(65536), envelope='never')
    with pytest.raises(SealingError, match='1 to 65535 bytes directly; use envelope: auto or always for an empty'):
        seal(api.client, by_id(key), b'', envelope='never', algorithm='aes_256_gcm')
    assert api_calls(api.emulator) == {}


@pytest.mark.parametrize('algorithm, limit', [('rsa_oaep_2048_sha256', 190), ('rsa_oaep_3072_sha256', 318)])
def test_rsa_oaep_encrypts_locally_and_the_service_decrypts(api, algorithm, limit):
    key = make_key(api, algorithm)
    direct = seal(api.client, by_id(key, read=True), bytes(limit))
    assert direct.form == 'direct' and len(direct.ciphertext) == limit + 66
    assert api_calls(api.emulator) == {PUBLIC_KEY: 1}
    api.emulator.clear_requests()
    enveloped = seal(api.client, by_id(key), bytes(limit + 1), algorithm=algorithm)
    assert enveloped.form == 'envelope' and len(_envelope.unpack(enveloped.ciphertext)[0]) == limit + 66
    with_ad = seal(api.client, by_id(key), b'short', b'ad', algorithm=algorithm)
    assert with_ad.form == 'envelope'
    assert api_calls(api.emulator) == {PUBLIC_KEY: 2}
    api.emulator.clear_requests()
    assert unseal(api.client, by_id(key), direct.ciphertext).plaintext == bytes(limit)
    assert unseal(api.client, by_id(key), enveloped.ciphertext).plaintext == bytes(limit + 1)
    assert unseal(api.client, by_id(key), with_ad.ciphertext, b'ad') == (b'short', 'envelope', None)
    assert api_calls(api.emulator) == {DECRYPT: 3}
    with pytest.raises(SealingError, match='take no associated data in direct encryption; use envelope'):
        seal(api.client, by_id(key), b'short', b'ad', 'never', algorithm)


def test_rotation_rewraps_direct_and_envelope_with_one_request(api):
    key = make_key(api)
    direct = seal(api.client, by_id(key), SECRET, b'ad', algorithm='aes_256_gcm').ciphertext
    enveloped = seal(api.client, by_id(key), SECRET, b'ad', 'always', 'aes_256_gcm').ciphertext
    api.client.rotate_key(key['id'])
    api.emulator.clear_requests()
    opened = unseal(api.client, by_id(key), direct, b'ad')
    assert opened.rewrapped[:5] == b'\x01\x00\x00\x00\x02'
    assert unseal(api.client, by_id(key), opened.rewrapped, b'ad') == (SECRET, 'direct', None)
    opened = unseal(api.client, by_id(key), enveloped, b'ad')
    assert opened.form == 'envelope' and opened.plaintext == SECRET
    new_dek, payload = _envelope.unpack(opened.rewrapped)
    assert new_dek[:5] == b'\x01\x00\x00\x00\x02' and payload == _envelope.unpack(enveloped)[1]
    assert unseal(api.client, by_id(key), opened.rewrapped, b'ad') == (SECRET, 'envelope', None)
    assert api_calls(api.emulator) == {DECRYPT: 4}


@pytest.mark.parametrize('envelope', ['never', 'always'])
def test_wrong_associated_data_and_another_key_are_explained(api, envelope):
    key, other = make_key(api), make_key(api, name='other')
    sealed = seal(api.client, by_id(key), SECRET, b'ad', envelope, 'aes_256_gcm').ciphertext
    with pytest.raises(SealingError, match='wrong associated data') as error:
        unseal(api.client, by_id(key), sealed, b'other')
    with pytest.raises(SealingError, match='another key') as other_error:
        unseal(api.client, by_id(other), sealed, b'ad')
    for message in (str(error.value), str(other_error.value)):
        assert 'launch' not in message


def test_tampered_and_not_envelopes(api):
    key = make_key(api)
    sealed = bytearray(seal(api.client, by_id(key), SECRET, envelope='always', algorithm='aes_256_gcm').ciphertext)
    sealed[-1] ^= 1
    with pytest.raises(SealingError, match='changed'):
        unseal(api.client, by_id(key), bytes(sealed))
    api.emulator.clear_requests()
    with pytest.raises(SealingError, match='the ciphertext is 131072 bytes and is not an envelope; Key Manager '
                                           'decrypts 1 to 131071 bytes'):
        unseal(api.client, by_id(key), b'\x01' * 131072)
    with pytest.raises(SealingError, match='0 bytes'):
        unseal(api.client, by_id(key), b'')
    assert api_calls(api.emulator) == {}


def test_keys_that_cannot_encrypt(api):
    signing = make_key(api, 'ec_p256_sha256', 'signing')
    with pytest.raises(SealingError, match='is an asymmetric_signing key .ec_p256_sha256.: it cannot encrypt'):
        seal(api.client, by_id(signing, read=True), SECRET)
    assert api_calls(api.emulator) == {}
    with pytest.raises(SealingError, match=r'it cannot encrypt.*\(Key Manager answered HTTP 412'):
        seal(api.client, by_id(signing), SECRET, algorithm='aes_256_gcm')
    assert api_calls(api.emulator) == {ENCRYPT: 1, GET_KEY: 1}
    key = make_key(api)
    sealed = seal(api.client, by_id(key), SECRET, algorithm='aes_256_gcm').ciphertext
    api.client.disable_key(key['id'])
    api.emulator.clear_requests()
    with pytest.raises(SealingError, match='is disabled: only enabled keys can decrypt'):
        unseal(api.client, by_id(key), sealed)
    assert api_calls(api.emulator) == {DECRYPT: 1, GET_KEY: 1}
    with pytest.raises(SealingError, match='is disabled: only enabled keys can encrypt'):
        seal(api.client, by_id(key), SECRET)
    with pytest.raises(SealingError, match='algorithm: ec_p256_sha256 cannot encrypt'):
        seal(api.client, by_id(key), SECRET, algorithm='ec_p256_sha256')
    with pytest.raises(SealingError, match="envelope: 'sometimes' is not one of auto, always, never"):
        seal(api.client, by_id(key), SECRET, envelope='sometimes')


def test_missing_key(api):
    ghost = {'id': '0b3c3f4e-0000-4000-8000-000000000000'}
    with pytest.raises(KeyNotFound, match='does not exist in region fr-par'):
        seal(api.client, by_id(ghost), SECRET)
    with pytest.raises(KeyNotFound):
        seal(api.client, by_id(ghost), SECRET, algorithm='aes_256_gcm')
    with pytest.raises(KeyNotFound):
        unseal(api.client, by_id(ghost), b'\x01' * 40)


def test_errors_are_user_errors_and_limits_are_the_service_s():
    assert issubclass(SealingError, UserError) and issubclass(_envelope.EnvelopeError, UserError)
    assert (_sealing.MAX_PLAINTEXT, _sealing.MAX_CIPHERTEXT) == (65535, 131071)
    assert _sealing.ENVELOPE_CHOICES == ('auto', 'always', 'never')
    assert _sealing.direct_limit('rsa_oaep_4096_sha256') == 446


def test_is_envelope_checks_the_encrypted_dek_shape():
    payload = bytes(28)
    assert _sealing.is_envelope(_envelope.pack(b'\x01' + bytes(66), payload))
    assert _sealing.is_envelope(_envelope.pack(bytes(256), payload))
    assert not _sealing.is_envelope(_envelope.pack(bytes(67), payload))
    assert not _sealing.is_envelope(bytes(256))
