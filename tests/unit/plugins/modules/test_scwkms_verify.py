# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scwkms_verify end to end in one process: local and remote verification against the in-process emulator."""

from __future__ import annotations

import base64
import hashlib

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils import _digest
from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_sign, scwkms_verify
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import (
    GET_KEY, LIST, PUBLIC_KEY, VERIFY, api_calls, client_for, create_key, task,
)

pytest.importorskip('scwkms_emulator')

ALGORITHMS = ('ec_p256_sha256', 'ec_p384_sha384', 'rsa_pss_2048_sha256', 'rsa_pkcs1_2048_sha256', 'ml_dsa_44')
MESSAGE = 'this is a message to sign'


@pytest.fixture(scope='module')
def signed():
    """A key per algorithm and a signature of MESSAGE by each, in a dedicated emulator."""
    from scwkms_emulator.testing import running_emulator
    with running_emulator() as emulator:
        keys = {}
        for algorithm in ALGORITHMS:
            key = create_key(emulator, algorithm)
            result, failed = task(scwkms_sign, emulator, key=key['id'], content=MESSAGE)
            assert not failed, result
            keys[algorithm] = (key, result['signature'])
        yield emulator, keys


def verify(emulator, check_mode=False, **args):
    return task(scwkms_verify, emulator, check_mode=check_mode, **args)


@pytest.mark.parametrize('algorithm', ALGORITHMS)
@pytest.mark.parametrize('remote', [False, True])
def test_valid_and_tampered(signed, algorithm, remote):
    emulator, keys = signed
    key, signature = keys[algorithm]
    emulator.clear_requests()
    result, failed = verify(emulator, key=key['id'], content=MESSAGE, signature=signature, remote=remote)
    assert not failed, result
    assert (result['valid'], result['reason'], result['remote'], result['changed']) == (True, None, remote, False)
    assert result['algorithm'] == algorithm
    expected_hash = 'sha384' if algorithm == 'ec_p384_sha384' else 'sha256'
    assert result['digest'] == hashlib.new(expected_hash, MESSAGE.encode()).hexdigest()
    assert result['digest_algorithm'] == expected_hash
    assert api_calls(emulator) == ({GET_KEY: 1, VERIFY: 1} if remote else {PUBLIC_KEY: 1})

    tampered, failed = verify(emulator, key=key['id'], content=MESSAGE + '!', signature=signature, remote=remote)
    assert not failed and tampered['valid'] is False and tampered['reason']

    raw = bytearray(base64.b64decode(signature))
    raw[len(raw) // 2] ^= 0x04
    bad, failed = verify(emulator, key=key['id'], content=MESSAGE, signature=base64.b64encode(bytes(raw)).decode(), remote=remote)
    assert not failed and bad['valid'] is False


def test_rsa_scheme_is_inferred_locally_unless_given(signed):
    emulator, keys = signed
    key, signature = keys['rsa_pkcs1_2048_sha256']
    result, _failed = verify(emulator, key=key['id'], content=MESSAGE, signature=signature)
    assert result['valid'] and result['algorithm'] == 'rsa_pkcs1_2048_sha256'
    strict, _failed = verify(emulator, key=key['id'], content=MESSAGE, signature=signature, algorithm='rsa_pss_2048_sha256')
    assert strict['valid'] is False and strict['algorithm'] == 'rsa_pss_2048_sha256'
    tampered, _failed = verify(emulator, key=key['id'], content='other', signature=signature)
    assert tampered['valid'] is False and tampered['algorithm'] is None


def test_request_counts(signed):
    emulator, keys = signed
    key, signature = keys['ec_p256_sha256']
    cases = [
        (dict(key=key['id']), {PUBLIC_KEY: 1}),
        (dict(key=key['id'], algorithm='ec_p256_sha256'), {PUBLIC_KEY: 1}),
        (dict(key=key['name']), {LIST: 1, PUBLIC_KEY: 1}),
        (dict(key=key['id'], remote=True), {GET_KEY: 1, VERIFY: 1}),
        (dict(key=key['id'], remote=True, algorithm='ec_p256_sha256'), {VERIFY: 1}),
        (dict(key=key['name'], remote=True), {LIST: 1, VERIFY: 1}),
    ]
    for args, calls in cases:
        emulator.clear_requests()
        result, failed = verify(emulator, content=MESSAGE, signature=signature, **args)
        assert not failed and result['valid'], (args, result)
        assert api_calls(emulator) == calls, args


@pytest.mark.parametrize('remote', [False, True])
def test_signature_encodings(signed, tmp_path, remote):
    emulator, keys = signed
    key, signature = keys['ec_p384_sha384']
    der = base64.b64decode(signature)
    raw = _digest.ecdsa_der_to_raw(der, 48)
    (tmp_path / 'sig').write_bytes(der)
    (tmp_path / 'content').write_text(MESSAGE)
    digest = hashlib.sha384(MESSAGE.encode()).digest()
    variants = [
        dict(signature=base64.b64encode(raw).decode(), content=MESSAGE),
        dict(signature=base64.urlsafe_b64encode(raw).decode().rstrip('='), content=MESSAGE),
        dict(signature_path=str(tmp_path / 'sig'), path=str(tmp_path / 'content')),
        dict(signature=signature, digest=digest.hex()),
        dict(signature=signature, content_b64=base64.b64encode(MESSAGE.encode()).decode()),
    ]
    for args in variants:
        result, failed = verify(emulator, key=key['id'], remote=remote, **args)
        assert not failed and result['valid'], (args, result)


def test_malformed_ecdsa_signature_is_a_result(signed):
    emulator, keys = signed
    key, _signature = keys['ec_p256_sha256']
    for remote in (False, True):
        emulator.clear_requests()
        result, failed = verify(emulator, key=key['id'], content=MESSAGE, signature=base64.b64encode(b'abc').decode(),
                                remote=remote)
        assert not failed and result['valid'] is False
        assert 'neither ASN.1 DER nor a 64-byte raw r||s signature' in result['reason']
        assert VERIFY not in api_calls(emulator)


def test_check_mode_verifies_too(signed):
    emulator, keys = signed
    key, signature = keys['ec_p256_sha256']
    result, failed = verify(emulator, check_mode=True, key=key['id'], content=MESSAGE, signature=signature)
    assert not failed and result['valid'] and result['changed'] is False


def test_disabled_key_verifies_locally_not_remotely(km_emulator):
    key = create_key(km_emulator, 'ec_p256_sha256', name='retired')
    signed_result, _failed = task(scwkms_sign, km_emulator, key=key['id'], content=MESSAGE)
    client_for(km_emulator).disable_key(key['id'])
    local, failed = verify(km_emulator, key=key['id'], content=MESSAGE, signature=signed_result['signature'])
    assert not failed and local['valid']
    km_emulator.clear_requests()
    remote, failed = verify(km_emulator, key=key['id'], content=MESSAGE, signature=signed_result['signature'], remote=True)
    assert failed and remote['msg'] == 'key %s (retired) is disabled: only enabled keys can verify' % key['id']
    assert api_calls(km_emulator) == {GET_KEY: 1}


@pytest.mark.parametrize('algorithm, message', [
    ('aes_256_gcm', 'is a symmetric key (aes_256_gcm): it has no public key'),
    ('ml_kem_768', 'has an ML-KEM-768 public key, which cannot verify signatures'),
])
def test_keys_that_cannot_verify(km_emulator, algorithm, message):
    key = create_key(km_emulator, algorithm)
    result, failed = verify(km_emulator, key=key['id'], content=MESSAGE, signature='AAAA')
    assert failed and message in result['msg'], result['msg']


def test_remote_refuses_a_non_signing_key_before_verifying(km_emulator):
    key = create_key(km_emulator, 'rsa_oaep_2048_sha256', name='enc')
    km_emulator.clear_requests()
    result, failed = verify(km_emulator, key=key['id'], content=MESSAGE, signature='AAAA', remote=True)
    assert failed and 'is a asymmetric_encryption key' not in result['msg']
    assert 'key %s (enc) is an asymmetric_encryption key (rsa_oaep_2048_sha256): it cannot verify' % key['id'] in result['msg']
    assert api_calls(km_emulator) == {GET_KEY: 1}


@pytest.mark.parametrize('args, message', [
    (dict(content='a'), 'one of the following is required: signature, signature_path'),
    (dict(content='a', signature='AAAA', signature_path='/x'), 'parameters are mutually exclusive: signature|signature_path'),
    (dict(signature='AAAA'), 'one of the following is required: content, content_b64, path, digest'),
    (dict(content='a', signature='!!!'), 'signature: the signature is not valid base64'),
    (dict(content='a', signature_path='/nonexistent'), 'signature_path: cannot read /nonexistent: No such file or directory'),
    (dict(content='a', signature='AAAA', algorithm='aes_256_gcm'), 'value of algorithm must be one of: ec_p256_sha256, ec_p384_sha384, rsa_pss_2048_sha256, '),
    (dict(digest='00' * 20, signature='AAAA'), 'digest: the digest is 20 bytes (read as hex)'),
])
def test_bad_inputs_fail_before_any_request(km_emulator, args, message):
    km_emulator.clear_requests()
    result, failed = verify(km_emulator, key='00000000-0000-4000-8000-000000000000', **args)
    assert failed and message in result['msg'], result['msg']
    assert api_calls(km_emulator) == {}
