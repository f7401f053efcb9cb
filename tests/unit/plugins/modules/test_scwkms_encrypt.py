# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scwkms_encrypt in one process against the in-process emulator: every request counted."""

from __future__ import annotations

import base64
import os
import stat

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils import _envelope
from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_decrypt, scwkms_encrypt
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import (
    ENCRYPT, DECRYPT, GET_KEY, LIST, PUBLIC_KEY, api_calls, create_key, task,
)

pytest.importorskip('scwkms_emulator')

SECRET = 'correct horse battery staple'


def encrypt(emulator, check_mode=False, diff=False, **args):
    return task(scwkms_encrypt, emulator, check_mode=check_mode, diff=diff, **args)


def decrypt(emulator, **args):
    return task(scwkms_decrypt, emulator, **args)


@pytest.fixture
def aes(km_emulator):
    key = create_key(km_emulator, 'aes_256_gcm', 'enc-aes')
    km_emulator.clear_requests()
    return key


def test_content_by_id_with_algorithm_is_one_request(km_emulator, aes):
    result, failed = encrypt(km_emulator, key=aes['id'], algorithm='aes_256_gcm', content=SECRET,
                             associated_data='row-1')
    assert not failed, result
    assert api_calls(km_emulator) == {ENCRYPT: 1}
    ciphertext = base64.b64decode(result['ciphertext'])
    assert (result['form'], result['size'], len(ciphertext), result['changed']) == ('direct', 61, 61, False)
    assert result['tink_uri'] == 'scw-kms://regions/fr-par/keys/%s' % aes['id']
    assert SECRET not in str(result)
    km_emulator.clear_requests()
    opened, failed = decrypt(km_emulator, key=aes['id'], ciphertext=result['ciphertext'], associated_data='row-1',
                             return_plaintext=True)
    assert (failed, opened['plaintext'], opened['form']) == (False, SECRET, 'direct')
    assert api_calls(km_emulator) == {DECRYPT: 1}


def test_by_name_costs_a_list_and_by_id_a_get(km_emulator, aes):
    assert not encrypt(km_emulator, key='enc-aes', content=SECRET)[1]
    assert api_calls(km_emulator) == {LIST: 1, ENCRYPT: 1}
    km_emulator.clear_requests()
    assert not encrypt(km_emulator, key='scw-kms://%s' % aes['id'], content_b64='AAEC')[1]
    assert api_calls(km_emulator) == {GET_KEY: 1, ENCRYPT: 1}


def test_check_mode_makes_no_request(km_emulator, aes, tmp_path):
    result, failed = encrypt(km_emulator, check_mode=True, key='enc-aes', content=SECRET)
    assert (failed, result['changed'], result['ciphertext']) == (False, False, None)
    result, failed = encrypt(km_emulator, check_mode=True, key=aes['id'], content=SECRET, dest=str(tmp_path / 'c'))
    assert (failed, result['changed']) == (False, True)
    assert not (tmp_path / 'c').exists()
    assert api_calls(km_emulator) == {}
    result, failed = encrypt(km_emulator, check_mode=True, key='x' * 7 + '-', content=SECRET)
    assert not failed
    result, failed = encrypt(km_emulator, check_mode=True, key='9d0ae4f2-276f-44d0-b7f5-7631bdf968', content='x')
    assert failed and 'looks like a key id' in result['msg']


def test_dest_is_written_once_with_mode_0600_then_kept(km_emulator, aes, tmp_path):
    dest = tmp_path / 'secret.enc'
    args = dict(key=aes['id'], algorithm='aes_256_gcm', content=SECRET, associated_data='a', dest=str(dest))
    result, failed = encrypt(km_emulator, diff=True, **args)
    assert not failed, result
    assert result['changed'] and stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    assert result['diff'][0]['after'] == 'direct ciphertext, 61 bytes\n' and SECRET not in str(result)
    first = dest.read_bytes()
    km_emulator.clear_requests()
    result, failed = encrypt(km_emulator, **args)
    assert (failed, result['changed'], dest.read_bytes()) == (False, False, first)
    assert api_calls(km_emulator) == {DECRYPT: 1}
    km_emulator.clear_requests()
    for changed_args in (dict(associated_data='b'), dict(content=SECRET + '!'), dict(envelope='always')):
        result, failed = encrypt(km_emulator, **dict(args, **changed_args))
        assert (failed, result['changed']) == (False, True)
        assert dest.read_bytes() != first
        first = dest.read_bytes()
    # A different size costs no decrypt; a different associated data (same size) costs one; envelope: always
    # refuses the direct file without a request.
    assert api_calls(km_emulator) == {ENCRYPT: 3, DECRYPT: 1}


def test_mode_option_and_existing_file_attributes(km_emulator, aes, tmp_path):
    dest = tmp_path / 'secret.enc'
    result, failed = encrypt(km_emulator, key=aes['id'], content=SECRET, dest=str(dest), mode='0640')
    assert not failed and stat.S_IMODE(os.stat(dest).st_mode) == 0o640
    result, failed = encrypt(km_emulator, key=aes['id'], content=SECRET, dest=str(dest), mode='0644', diff=True)
    assert (failed, result['changed']) == (False, True)
    assert result['diff'] == [{'before': {'path': str(dest), 'mode': '0640'}, 'after': {'path': str(dest), 'mode': '0644'}}]


@pytest.mark.parametrize('size, form, overhead', [(65535, 'direct', 33), (65536, 'envelope', 99), (0, 'envelope', 99)])
def test_size_picks_the_form(km_emulator, aes, tmp_path, size, form, overhead):
    source = tmp_path / 'plain'
    source.write_bytes(os.urandom(size))
    result, failed = encrypt(km_emulator, key=aes['id'], algorithm='aes_256_gcm', path=str(source))
    assert not failed, result
    assert (result['form'], result['size']) == (form, size + overhead)
    assert api_calls(km_emulator) == {ENCRYPT: 1}


def test_limits_are_checked_before_any_request(km_emulator, aes, tmp_path):
    source = tmp_path / 'plain'
    source.write_bytes(bytes(65536))
    result, failed = encrypt(km_emulator, key='enc-aes', path=str(source), envelope='never')
    assert failed and result['msg'] == ('the plaintext is 65536 bytes, but Key Manager encrypts 1 to 65535 bytes '
                                        'directly; use envelope: auto or always for larger data')
    result, failed = encrypt(km_emulator, key='enc-aes', content='', envelope='never')
    assert failed and 'use envelope: auto or always for an empty plaintext' in result['msg']
    result, failed = encrypt(km_emulator, key='enc-aes', content_b64='***')
    assert failed and result['msg'] == 'content_b64: the plaintext is not valid base64'
    result, failed = encrypt(km_emulator, key='enc-aes', path=str(tmp_path / 'missing'))
    assert failed and 'path: cannot read' in result['msg']
    result, failed = encrypt(km_emulator, key='enc-aes', content='x', dest=str(tmp_path / 'no' / 'dir'))
    assert failed and 'does not exist' in result['msg']
    assert api_calls(km_emulator) == {}


def test_result_size_limit(km_emulator, aes, tmp_path, monkeypatch):
    from ansible_collections.scwkms.key_manager.plugins.module_utils import _crypt_io
    monkeypatch.setattr(_crypt_io, 'RESULT_LIMIT', 1000)
    source = tmp_path / 'plain'
    source.write_bytes(bytes(1001))
    result, failed = encrypt(km_emulator, key=aes['id'], path=str(source))
    assert failed and 'a task result holds at most 1000 bytes (16 MiB); write it to a file with dest' in result['msg']
    assert api_calls(km_emulator) == {}
    result, failed = encrypt(km_emulator, key=aes['id'], path=str(source), dest=str(tmp_path / 'out'))
    assert not failed and result['form'] == 'direct'


def test_signing_key_and_disabled_key(km_emulator, tmp_path):
    signing = create_key(km_emulator, 'ec_p256_sha256', 'enc-signing')
    km_emulator.clear_requests()
    dest = tmp_path / 'out'
    result, failed = encrypt(km_emulator, key='enc-signing', content=SECRET, dest=str(dest))
    assert failed and 'is an asymmetric_signing key (ec_p256_sha256): it cannot encrypt' in result['msg']
    assert api_calls(km_emulator) == {LIST: 1} and not dest.exists()
    km_emulator.clear_requests()
    result, failed = encrypt(km_emulator, key=signing['id'], algorithm='aes_256_gcm', content=SECRET)
    assert failed and 'it cannot encrypt' in result['msg'] and 'HTTP 412' in result['msg']
    assert api_calls(km_emulator) == {ENCRYPT: 1, GET_KEY: 1}


def test_rsa_oaep_encrypts_locally(km_emulator, tmp_path):
    rsa = create_key(km_emulator, 'rsa_oaep_2048_sha256', 'enc-rsa')
    km_emulator.clear_requests()
    result, failed = encrypt(km_emulator, key=rsa['id'], algorithm='rsa_oaep_2048_sha256', content=SECRET)
    assert (failed, result['form'], result['size']) == (False, 'direct', 256)
    assert api_calls(km_emulator) == {PUBLIC_KEY: 1}
    dest = tmp_path / 'rsa.enc'
    result, failed = encrypt(km_emulator, key='enc-rsa', content=SECRET, associated_data='ad', dest=str(dest))
    assert (failed, result['form']) == (False, 'envelope')
    assert len(_envelope.unpack(dest.read_bytes())[0]) == 256
    km_emulator.clear_requests()
    result, failed = encrypt(km_emulator, key='enc-rsa', content=SECRET, associated_data='ad', dest=str(dest))
    assert (failed, result['changed']) == (False, False)
    assert api_calls(km_emulator) == {LIST: 1, DECRYPT: 1}
