# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scwkms_decrypt in one process against the in-process emulator: every request counted."""

from __future__ import annotations

import base64
import os
import stat

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils import _envelope
from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_decrypt, scwkms_encrypt
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import (
    DECRYPT, GET_KEY, LIST, api_calls, client_for, create_key, task,
)

pytest.importorskip('scwkms_emulator')

SECRET = 'correct horse battery staple'


def decrypt(emulator, check_mode=False, diff=False, **args):
    return task(scwkms_decrypt, emulator, check_mode=check_mode, diff=diff, **args)


def sealed(emulator, key, **args):
    result, failed = task(scwkms_encrypt, emulator, key=key['id'], **args)
    assert not failed, result
    emulator.clear_requests()
    return result


@pytest.fixture
def aes(km_emulator):
    key = create_key(km_emulator, 'aes_256_gcm', 'dec-aes')
    km_emulator.clear_requests()
    return key


@pytest.mark.parametrize('envelope', ['never', 'always'])
def test_plaintext_only_when_asked_one_request(km_emulator, aes, envelope):
    ciphertext = sealed(km_emulator, aes, content=SECRET, associated_data='ad', envelope=envelope)['ciphertext']
    result, failed = decrypt(km_emulator, key=aes['id'], ciphertext=ciphertext, associated_data='ad')
    assert not failed, result
    assert SECRET not in str(result) and 'plaintext' not in result
    assert (result['form'], result['changed'], result['rewrap_available']) == (
        'direct' if envelope == 'never' else 'envelope', False, False)
    result, failed = decrypt(km_emulator, key=aes['id'], ciphertext=ciphertext, associated_data='ad',
                             return_plaintext=True)
    assert (result['plaintext'], base64.b64decode(result['plaintext_b64'])) == (SECRET, SECRET.encode())
    assert api_calls(km_emulator) == {DECRYPT: 2}


def test_binary_plaintext_is_only_base64(km_emulator, aes):
    ciphertext = sealed(km_emulator, aes, content_b64=base64.b64encode(b'\xff\xfe').decode())['ciphertext']
    result, failed = decrypt(km_emulator, key=aes['id'], ciphertext=ciphertext, return_plaintext=True)
    assert (failed, result['plaintext'], result['plaintext_b64']) == (False, None, '//4=')


def test_dest_written_0600_then_kept_and_diff_shows_no_data(km_emulator, aes, tmp_path):
    ciphertext = sealed(km_emulator, aes, content=SECRET)['ciphertext']
    dest = tmp_path / 'plain'
    result, failed = decrypt(km_emulator, diff=True, key='dec-aes', ciphertext=ciphertext, dest=str(dest))
    assert not failed, result
    assert result['changed'] and dest.read_text() == SECRET and stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    assert result['diff'][0]['after'] == 'plaintext, 28 bytes (not shown)\n' and SECRET not in str(result)
    assert api_calls(km_emulator) == {LIST: 1, DECRYPT: 1}
    result, failed = decrypt(km_emulator, key=aes['id'], ciphertext=ciphertext, dest=str(dest))
    assert (failed, result['changed']) == (False, False)
    dest.write_text('changed by hand')
    result, failed = decrypt(km_emulator, check_mode=True, key=aes['id'], ciphertext=ciphertext, dest=str(dest))
    assert (failed, result['changed'], dest.read_text()) == (False, True, 'changed by hand')
    assert not [name for name in os.listdir(tmp_path) if name.startswith('.scwkms-')]


def test_large_file_streams_both_ways(km_emulator, aes, tmp_path):
    plain, sealed_path, opened = tmp_path / 'big', tmp_path / 'big.enc', tmp_path / 'big.out'
    plain.write_bytes(os.urandom(3 * 1024 * 1024 + 5))
    result = sealed(km_emulator, aes, path=str(plain), dest=str(sealed_path), associated_data='big')
    assert (result['form'], result['size']) == ('envelope', plain.stat().st_size + 99)
    result, failed = decrypt(km_emulator, key=aes['id'], path=str(sealed_path), dest=str(opened), associated_data='big')
    assert (failed, result['form']) == (False, 'envelope')
    assert opened.read_bytes() == plain.read_bytes()
    assert api_calls(km_emulator) == {DECRYPT: 1}


def test_tampered_envelope_writes_nothing(km_emulator, aes, tmp_path):
    plain, sealed_path, opened = tmp_path / 'p', tmp_path / 'p.enc', tmp_path / 'p.out'
    plain.write_bytes(os.urandom(200000))
    sealed(km_emulator, aes, path=str(plain), dest=str(sealed_path))
    data = bytearray(sealed_path.read_bytes())
    data[1000] ^= 1
    sealed_path.write_bytes(bytes(data))
    result, failed = decrypt(km_emulator, key=aes['id'], path=str(sealed_path), dest=str(opened))
    assert failed and 'does not authenticate' in result['msg']
    assert set(os.listdir(tmp_path)) == {'p', 'p.enc'}


@pytest.mark.parametrize('args, message', [
    (dict(ciphertext='not base64!'), 'ciphertext: the ciphertext is not valid base64'),
    (dict(ciphertext=''), 'the ciphertext is 0 bytes and is not an envelope'),
    (dict(ciphertext=base64.b64encode(b'\x01' * 131072).decode()), 'Key Manager decrypts 1 to 131071 bytes'),
])
def test_bad_input_before_any_request(km_emulator, aes, args, message):
    result, failed = decrypt(km_emulator, key=aes['id'], **args)
    assert failed and message in result['msg']
    assert api_calls(km_emulator) == {}


def test_wrong_associated_data_and_other_key(km_emulator, aes, tmp_path):
    other = create_key(km_emulator, 'aes_256_gcm', 'dec-other')
    ciphertext = sealed(km_emulator, aes, content=SECRET, associated_data='ad')['ciphertext']
    dest = tmp_path / 'out'
    result, failed = decrypt(km_emulator, key=aes['id'], ciphertext=ciphertext, associated_data='bad', dest=str(dest))
    assert failed and 'wrong associated data' in result['msg'] and not dest.exists()
    result, failed = decrypt(km_emulator, key=other['id'], ciphertext=ciphertext, associated_data='ad')
    assert failed and 'another key' in result['msg']
    assert api_calls(km_emulator) == {DECRYPT: 2}


def test_rewrap_after_rotation(km_emulator, aes, tmp_path):
    direct = sealed(km_emulator, aes, content=SECRET, associated_data='ad')['ciphertext']
    path = tmp_path / 'secret.enc'
    sealed(km_emulator, aes, content=SECRET, associated_data='ad', envelope='always', dest=str(path), mode='0640')
    before = path.read_bytes()
    client_for(km_emulator).rotate_key(aes['id'])
    km_emulator.clear_requests()
    result, failed = decrypt(km_emulator, key=aes['id'], ciphertext=direct, associated_data='ad')
    assert (failed, result['changed'], result['rewrap_available'], result['rewrapped']) == (False, False, True, False)
    result, failed = decrypt(km_emulator, key=aes['id'], ciphertext=direct, associated_data='ad', rewrap=True)
    assert (result['changed'], result['rewrapped']) == (True, True)
    assert base64.b64decode(result['ciphertext'])[:5] == b'\x01\x00\x00\x00\x02'
    result, failed = decrypt(km_emulator, check_mode=True, key=aes['id'], path=str(path), associated_data='ad',
                             rewrap=True)
    assert (failed, result['changed'], path.read_bytes()) == (False, True, before)
    result, failed = decrypt(km_emulator, diff=True, key=aes['id'], path=str(path), associated_data='ad', rewrap=True)
    assert (failed, result['changed'], result['rewrapped']) == (False, True, True)
    after = path.read_bytes()
    assert _envelope.unpack(after)[0][:5] == b'\x01\x00\x00\x00\x02'
    assert _envelope.unpack(after)[1] == _envelope.unpack(before)[1]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    result, failed = decrypt(km_emulator, key=aes['id'], path=str(path), associated_data='ad', rewrap=True)
    assert (failed, result['changed'], result['rewrap_available']) == (False, False, False)
    assert api_calls(km_emulator) == {DECRYPT: 5}


def test_disabled_key_is_explained(km_emulator, aes):
    ciphertext = sealed(km_emulator, aes, content=SECRET)['ciphertext']
    client_for(km_emulator).disable_key(aes['id'])
    km_emulator.clear_requests()
    result, failed = decrypt(km_emulator, key=aes['id'], ciphertext=ciphertext)
    assert failed and 'is disabled: only enabled keys can decrypt' in result['msg']
    assert api_calls(km_emulator) == {DECRYPT: 1, GET_KEY: 1}


def test_rsa_oaep_direct_and_envelope(km_emulator, tmp_path):
    rsa = create_key(km_emulator, 'rsa_oaep_3072_sha256', 'dec-rsa')
    direct = sealed(km_emulator, rsa, content=SECRET)
    enveloped = sealed(km_emulator, rsa, content=SECRET * 20)
    assert (direct['form'], enveloped['form']) == ('direct', 'envelope')
    for result, expected in ((direct, SECRET), (enveloped, SECRET * 20)):
        opened, failed = decrypt(km_emulator, key=rsa['id'], ciphertext=result['ciphertext'], return_plaintext=True)
        assert (failed, opened['plaintext'], opened['form']) == (False, expected, result['form'])
    assert api_calls(km_emulator) == {DECRYPT: 2}


def test_a_signing_key_cannot_decrypt(km_emulator, aes, tmp_path):
    ciphertext = sealed(km_emulator, aes, content=SECRET)['ciphertext']
    signing = create_key(km_emulator, 'ec_p256_sha256', 'dec-signing')
    km_emulator.clear_requests()
    result, failed = decrypt(km_emulator, key=signing['id'], ciphertext=ciphertext, dest=str(tmp_path / 'out'))
    assert failed and 'is an asymmetric_signing key (ec_p256_sha256): it cannot decrypt' in result['msg']
    assert not (tmp_path / 'out').exists() and not os.listdir(tmp_path)
    assert api_calls(km_emulator) == {DECRYPT: 1, GET_KEY: 1}


def test_result_size_limit_before_any_request(km_emulator, aes, tmp_path, monkeypatch):
    from ansible_collections.scwkms.key_manager.plugins.module_utils import _crypt_io
    path = tmp_path / 'sealed'
    sealed(km_emulator, aes, content_b64=base64.b64encode(bytes(2000)).decode(), dest=str(path))
    monkeypatch.setattr(_crypt_io, 'RESULT_LIMIT', 1000)
    result, failed = decrypt(km_emulator, key=aes['id'], path=str(path), return_plaintext=True)
    assert failed and result['msg'] == ('the ciphertext is 2033 bytes, but a task result holds at most 1000 bytes '
                                        '(16 MiB); write it to a file with dest, which streams data of any size')
    assert api_calls(km_emulator) == {}
    result, failed = decrypt(km_emulator, key=aes['id'], path=str(path), dest=str(tmp_path / 'plain'))
    assert not failed and (tmp_path / 'plain').read_bytes() == bytes(2000)
