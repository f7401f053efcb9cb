# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scwkms_sign end to end in one process against the in-process emulator, checked with openssl."""

from __future__ import annotations

import base64
import hashlib
import os

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils import _client, _digest
from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_public_key, scwkms_sign
from ansible_collections.scwkms.key_manager.tests.unit.plugins.keymaterial import needs_openssl, run
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import (
    GET_KEY, LIST, PUBLIC_KEY, SIGN, api_calls, client_for, create_key, task,
)

pytest.importorskip('scwkms_emulator')

SIGNING = ('ec_p256_sha256', 'ec_p384_sha384', 'rsa_pss_2048_sha256', 'rsa_pss_3072_sha256', 'rsa_pss_4096_sha256',
           'rsa_pkcs1_2048_sha256', 'rsa_pkcs1_3072_sha256', 'rsa_pkcs1_4096_sha256')
MESSAGE = 'this is a message to sign'
CHOICES = ('value of algorithm must be one of: ec_p256_sha256, ec_p384_sha384, rsa_pss_2048_sha256, rsa_pss_3072_sha256, '
           'rsa_pss_4096_sha256, rsa_pkcs1_2048_sha256, rsa_pkcs1_3072_sha256, rsa_pkcs1_4096_sha256, ml_dsa_44, '
           'ml_dsa_65, ml_dsa_87, ')


def sign(emulator, check_mode=False, diff=False, **args):
    return task(scwkms_sign, emulator, check_mode=check_mode, diff=diff, **args)


@pytest.fixture(scope='module')
def signing_keys():
    """One key per signing algorithm, created once in a dedicated emulator (RSA 4096 keygen is slow)."""
    from scwkms_emulator.testing import running_emulator
    with running_emulator() as emulator:
        keys = dict((algorithm, create_key(emulator, algorithm)) for algorithm in SIGNING)
        yield emulator, keys


def openssl_verify(tmp_path, algorithm, pem, message, signature):
    (tmp_path / 'key.pem').write_text(pem)
    (tmp_path / 'content').write_bytes(message)
    (tmp_path / 'sig').write_bytes(signature)
    args = ['openssl', 'dgst', '-sha384' if algorithm == 'ec_p384_sha384' else '-sha256',
            '-verify', str(tmp_path / 'key.pem'), '-signature', str(tmp_path / 'sig')]
    if algorithm.startswith('rsa_pss_'):
        args += ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:auto']
    return run(*(args + [str(tmp_path / 'content')])).returncode == 0


@needs_openssl
@pytest.mark.parametrize('algorithm', SIGNING)
def test_every_algorithm_verifies_with_openssl(signing_keys, tmp_path, algorithm):
    emulator, keys = signing_keys
    key = keys[algorithm]
    emulator.clear_requests()
    result, failed = sign(emulator, key=key['id'], content=MESSAGE, verify=True)
    assert not failed, result
    assert api_calls(emulator) == {GET_KEY: 1, SIGN: 1, PUBLIC_KEY: 1}
    expected_hash = 'sha384' if algorithm == 'ec_p384_sha384' else 'sha256'
    assert result['digest'] == hashlib.new(expected_hash, MESSAGE.encode()).hexdigest()
    assert (result['digest_algorithm'], result['algorithm'], result['changed'], result['verified']) == (
        expected_hash, algorithm, False, True)
    assert result['signature_format'] == ('der' if algorithm.startswith('ec_') else None)
    assert result['kms_uri'] == 'scwkms:key-id=%s;region=fr-par' % key['id']
    assert MESSAGE not in str(result)
    public, _failed = task(scwkms_public_key, emulator, key=key['id'])
    signature = base64.b64decode(result['signature'])
    assert openssl_verify(tmp_path, algorithm, public['pem'], MESSAGE.encode(), signature)
    assert not openssl_verify(tmp_path, algorithm, public['pem'], MESSAGE.encode() + b'!', signature)
    tampered = bytearray(signature)
    tampered[10] ^= 0x01
    assert not openssl_verify(tmp_path, algorithm, public['pem'], MESSAGE.encode(), bytes(tampered))


@pytest.mark.parametrize('algorithm', ['ec_p256_sha256', 'rsa_pkcs1_2048_sha256'])
def test_every_input_kind_signs_the_same_digest(signing_keys, tmp_path, algorithm):
    emulator, keys = signing_keys
    key = keys[algorithm]
    data = os.urandom(3 * 1024 * 1024 + 7)
    path = tmp_path / 'blob'
    path.write_bytes(data)
    digest = hashlib.sha256(data).digest()
    inputs = [dict(path=str(path)), dict(content_b64=base64.b64encode(data).decode()), dict(digest=digest.hex()),
              dict(digest=base64.b64encode(digest).decode()), dict(digest=base64.urlsafe_b64encode(digest).decode().rstrip('='))]
    for given in inputs:
        result, failed = sign(emulator, key=key['id'], verify=True, **given)
        assert not failed, (given, result)
        assert result['digest'] == digest.hex()
    # PKCS#1 v1.5 is deterministic: the same digest gives the same signature every time.
    if algorithm.startswith('rsa_pkcs1_'):
        signatures = set(sign(emulator, key=key['id'], digest=digest.hex())[0]['signature'] for _index in range(2))
        assert len(signatures) == 1


def test_algorithm_hint_saves_the_key_request(signing_keys):
    emulator, keys = signing_keys
    key = keys['rsa_pss_2048_sha256']
    emulator.clear_requests()
    result, failed = sign(emulator, key=key['id'], algorithm='rsa_pss_2048_sha256', content=MESSAGE)
    assert not failed and result['algorithm'] == 'rsa_pss_2048_sha256'
    assert api_calls(emulator) == {SIGN: 1}


def test_key_by_name(signing_keys):
    emulator, keys = signing_keys
    key = keys['ec_p256_sha256']
    emulator.clear_requests()
    result, failed = sign(emulator, key=key['name'], content=MESSAGE)
    assert not failed and result['key_id'] == key['id']
    assert api_calls(emulator) == {LIST: 1, SIGN: 1}


def test_wrong_rsa_scheme_hint_is_caught_by_verify(signing_keys):
    emulator, keys = signing_keys
    key = keys['rsa_pss_2048_sha256']
    result, failed = sign(emulator, key=key['id'], algorithm='rsa_pkcs1_2048_sha256', content=MESSAGE, verify=True)
    assert failed
    assert result['msg'] == (
        'the signature Key Manager returned for key %s does not verify with its public key as rsa_pkcs1_2048_sha256 '
        '(the signature does not verify with this public key); algorithm rsa_pkcs1_2048_sha256 was given and not read '
        'from the key, is it right?' % key['id'])


@pytest.mark.parametrize('algorithm, size', [('ec_p256_sha256', 64), ('ec_p384_sha384', 96)])
def test_raw_ecdsa_signatures(signing_keys, algorithm, size):
    emulator, keys = signing_keys
    result, failed = sign(emulator, key=keys[algorithm]['id'], content=MESSAGE, signature_format='raw', verify=True)
    assert not failed and result['signature_format'] == 'raw'
    raw = base64.b64decode(result['signature'])
    assert len(raw) == size
    assert _digest.ecdsa_raw_to_der(raw)


@pytest.mark.parametrize('algorithm', ['ec_p256_sha256', 'ec_p384_sha384'])
def test_service_signature_arriving_raw_is_normalized(signing_keys, monkeypatch, algorithm):
    """Scaleway does not document the ECDSA wire encoding: a raw r||s answer becomes DER too."""
    emulator, keys = signing_keys
    real_sign = _client.KeyManagerClient.sign

    def raw_sign(self, key_id, digest, region=None):
        return _digest.ecdsa_der_to_raw(real_sign(self, key_id, digest, region), _digest.EC_COORDINATE_SIZES[algorithm])

    monkeypatch.setattr(_client.KeyManagerClient, 'sign', raw_sign)
    result, failed = sign(emulator, key=keys[algorithm]['id'], content=MESSAGE, verify=True)
    assert not failed, result
    der = base64.b64decode(result['signature'])
    assert der[0] == 0x30 and _digest._strict_der(der) is not None


# -- refused before any request ------------------------------------------------------------------

@pytest.mark.parametrize('args, message', [
    (dict(algorithm='aes_256_gcm', content=MESSAGE), CHOICES + 'got: aes_256_gcm'),
    (dict(algorithm='rsa_oaep_2048_sha256', content=MESSAGE), CHOICES + 'got: rsa_oaep_2048_sha256'),
    (dict(algorithm='rsa_pss_1024_sha256', content=MESSAGE), CHOICES + 'got: rsa_pss_1024_sha256'),
    (dict(algorithm='ec_p384_sha384', digest=hashlib.sha256(b'x').hexdigest()),
     'digest: the digest is 32 bytes (read as hex), but ec_p384_sha384 signs a 48-byte SHA-384 digest'),
    (dict(digest='abcdef'), 'digest: the digest is 3 bytes (read as hex), but Key Manager signs 32-byte SHA-256 or 48-byte SHA-384 digests'),
    (dict(digest='not base64 !'), 'digest: the digest is neither hex nor base64'),
    (dict(digest=''), 'digest: the digest is empty'),
    (dict(content_b64='%%%'), 'content_b64: the content is not valid base64'),
    (dict(path='/nonexistent/file'), 'path: cannot read /nonexistent/file: No such file or directory'),
    (dict(path='/'), 'path: / is a directory'),
    (dict(content='a', digest='ab' * 32), 'parameters are mutually exclusive: content|content_b64|path|digest'),
    (dict(), 'one of the following is required: content, content_b64, path, digest'),
    (dict(content='a', signature_format='jose'), 'value of signature_format must be one of: der, raw, got: jose'),
])
def test_bad_inputs_fail_before_any_request(km_emulator, args, message):
    km_emulator.clear_requests()
    result, failed = sign(km_emulator, key='00000000-0000-4000-8000-000000000000', **args)
    assert failed and message in result['msg'], result['msg']
    assert api_calls(km_emulator) == {}


@pytest.mark.parametrize('algorithm, usage', [('aes_256_gcm', 'a symmetric_encryption'),
                                              ('rsa_oaep_2048_sha256', 'an asymmetric_encryption')])
def test_keys_that_cannot_sign_are_refused_before_signing(km_emulator, algorithm, usage):
    key = create_key(km_emulator, algorithm, name='cannot-sign')
    km_emulator.clear_requests()
    result, failed = sign(km_emulator, key=key['id'], content=MESSAGE)
    assert failed
    assert result['msg'].startswith('key %s (cannot-sign) is %s key (%s): it cannot sign; signing keys use one of '
                                    'ec_p256_sha256' % (key['id'], usage, algorithm))
    assert api_calls(km_emulator) == {GET_KEY: 1}


def test_disabled_key_is_refused_before_signing(km_emulator):
    key = create_key(km_emulator, 'ec_p256_sha256', name='off')
    client_for(km_emulator).disable_key(key['id'])
    km_emulator.clear_requests()
    result, failed = sign(km_emulator, key=key['id'], content=MESSAGE)
    assert failed and result['msg'] == 'key %s (off) is disabled: only enabled keys can sign' % key['id']
    assert api_calls(km_emulator) == {GET_KEY: 1}


def test_digest_length_checked_against_the_key_before_signing(km_emulator):
    key = create_key(km_emulator, 'ec_p384_sha384')
    km_emulator.clear_requests()
    result, failed = sign(km_emulator, key=key['id'], digest=hashlib.sha256(b'x').hexdigest())
    assert failed and 'but ec_p384_sha384 signs a 48-byte SHA-384 digest' in result['msg']
    assert api_calls(km_emulator) == {GET_KEY: 1}


def test_hint_disagreeing_with_a_key_read_by_name(km_emulator):
    create_key(km_emulator, 'ec_p256_sha256', name='hinted')
    result, failed = sign(km_emulator, key='hinted', algorithm='ec_p384_sha384', content=MESSAGE)
    assert failed and 'algorithm: ec_p384_sha384 was given, but key ' in result['msg'] and 'is an ec_p256_sha256 key' in result['msg']


def test_service_refusal_with_a_hint_is_reported(km_emulator):
    key = create_key(km_emulator, 'aes_256_gcm')
    result, failed = sign(km_emulator, key=key['id'], algorithm='ec_p256_sha256', content=MESSAGE)
    assert failed and result['msg'].startswith('Key Manager API call failed: POST ')
    assert 'HTTP 412' in result['msg'] and result['api_error']['status'] == 412


def test_message_is_no_log():
    spec = scwkms_sign.argument_spec()
    assert spec['content']['no_log'] and spec['content_b64']['no_log']


# -- dest: idempotence made honest ---------------------------------------------------------------

@pytest.mark.parametrize('algorithm', ['ec_p256_sha256', 'rsa_pss_2048_sha256'])
def test_dest_signs_once_and_keeps_a_valid_signature(signing_keys, tmp_path, algorithm):
    emulator, keys = signing_keys
    key = keys[algorithm]
    data = tmp_path / 'data'
    data.write_bytes(b'release 1.0')
    dest = tmp_path / 'data.sig'
    args = dict(key=key['id'], path=str(data), dest=str(dest), verify=True, mode='0644')

    emulator.clear_requests()
    result, failed = sign(emulator, check_mode=True, diff=True, **args)
    assert not failed and result['changed'] and result['signature'] is None and not dest.exists()
    assert SIGN not in api_calls(emulator)

    result, failed = sign(emulator, **args)
    assert not failed and result['changed'] and dest.read_bytes() == base64.b64decode(result['signature'])
    first = dest.read_bytes()

    emulator.clear_requests()
    for check_mode in (True, False):
        again, failed = sign(emulator, check_mode=check_mode, **args)
        assert not failed and again['changed'] is False and again['verified'] is True
        assert again['signature'] == result['signature']
    assert dest.read_bytes() == first
    assert api_calls(emulator) == {GET_KEY: 2, PUBLIC_KEY: 2}

    data.write_bytes(b'release 1.1')
    emulator.clear_requests()
    changed, failed = sign(emulator, diff=True, **args)
    assert not failed and changed['changed'] and dest.read_bytes() != first
    assert api_calls(emulator) == {GET_KEY: 1, PUBLIC_KEY: 1, SIGN: 1}
    assert changed['diff'][0]['before'].startswith('binary, ')


def test_dest_format_change_re_encodes_without_signing(signing_keys, tmp_path):
    emulator, keys = signing_keys
    key = keys['ec_p256_sha256']
    dest = tmp_path / 'sig'
    sign(emulator, key=key['id'], content=MESSAGE, dest=str(dest))
    der = dest.read_bytes()
    emulator.clear_requests()
    raw, failed = sign(emulator, key=key['id'], content=MESSAGE, dest=str(dest), signature_format='raw')
    assert not failed and raw['changed'] and raw['verified']
    assert dest.read_bytes() == _digest.ecdsa_der_to_raw(der, 32)
    assert api_calls(emulator) == {GET_KEY: 1, PUBLIC_KEY: 1}
    again, failed = sign(emulator, key=key['id'], content=MESSAGE, dest=str(dest), signature_format='raw')
    assert again['changed'] is False


def test_dest_with_garbage_is_replaced(signing_keys, tmp_path):
    emulator, keys = signing_keys
    dest = tmp_path / 'sig'
    dest.write_bytes(b'not a signature')
    result, failed = sign(emulator, key=keys['rsa_pkcs1_2048_sha256']['id'], content=MESSAGE, dest=str(dest))
    assert not failed and result['changed'] and len(dest.read_bytes()) == 256


def test_dest_attributes_only(signing_keys, tmp_path):
    emulator, keys = signing_keys
    dest = tmp_path / 'sig'
    args = dict(key=keys['ec_p256_sha256']['id'], content=MESSAGE, dest=str(dest), mode='0644')
    sign(emulator, **args)
    args['mode'] = '0600'
    emulator.clear_requests()
    result, failed = sign(emulator, diff=True, **args)
    assert not failed and result['changed']
    assert SIGN not in api_calls(emulator)
    assert result['diff'] == [{'before': {'path': str(dest), 'mode': '0644'}, 'after': {'path': str(dest), 'mode': '0600'}}]


def test_without_dest_never_changed_even_in_check_mode(signing_keys):
    emulator, keys = signing_keys
    for check_mode in (False, True):
        result, failed = sign(emulator, check_mode=check_mode, key=keys['ec_p256_sha256']['id'], content=MESSAGE)
        assert not failed and result['changed'] is False and result['signature']


# -- ML-DSA --------------------------------------------------------------------------------------

@pytest.mark.parametrize('algorithm', ['ml_dsa_44', 'ml_dsa_65', 'ml_dsa_87'])
def test_ml_dsa(km_emulator, algorithm):
    key = create_key(km_emulator, algorithm)
    result, failed = sign(km_emulator, key=key['id'], content=MESSAGE, verify=True)
    assert not failed, result
    assert result['digest_algorithm'] == 'sha256' and result['signature_format'] is None and result['verified']
