# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Digests, signature encodings and local verification, checked against openssl."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric import padding
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.scwkms.key_manager.plugins.module_utils import _digest
from ansible_collections.scwkms.key_manager.plugins.module_utils._digest import DigestError
from ansible_collections.scwkms.key_manager.plugins.module_utils._pem import parse_public_key
from ansible_collections.scwkms.key_manager.tests.unit.plugins.keymaterial import (
    ALGORITHM_KEYS, SIGNING_ALGORITHMS, needs_openssl, run, service_pem, sign_digest,
)

try:
    from cryptography.hazmat.primitives.asymmetric import mldsa
except ImportError:
    mldsa = None

MESSAGE = b'this is a message to sign'


def key_for(algorithm):
    private_key = ALGORITHM_KEYS[algorithm]()
    return private_key, parse_public_key(service_pem(private_key))


def signed(algorithm):
    """(public key info, digest of MESSAGE, the signature the service would answer) for algorithm."""
    private_key, info = key_for(algorithm)
    digest = _digest.digest_message(MESSAGE, algorithm)
    return info, digest, sign_digest(private_key, algorithm, digest)


# -- algorithms and digests ----------------------------------------------------------------------

@pytest.mark.parametrize('algorithm', _digest.SIGNING_ALGORITHMS)
def test_hash_of_every_signing_algorithm(algorithm):
    expected = 'sha384' if algorithm == 'ec_p384_sha384' else 'sha256'
    assert _digest.hash_name(algorithm) == expected
    assert _digest.digest_message(MESSAGE, algorithm) == hashlib.new(expected, MESSAGE).digest()


@pytest.mark.parametrize('algorithm, message', [
    ('aes_256_gcm', 'algorithm: aes_256_gcm keys are for symmetric_encryption and cannot sign or verify'),
    ('rsa_oaep_3072_sha256', 'algorithm: rsa_oaep_3072_sha256 keys are for asymmetric_encryption and cannot sign'),
    ('ml_kem_768', 'ml_kem_768 keys are for asymmetric_encryption'),
    ('ec_p521_sha512', "algorithm: 'ec_p521_sha512' is not a Key Manager signing algorithm"),
])
def test_non_signing_algorithms_are_refused(algorithm, message):
    with pytest.raises(DigestError, match=message):
        _digest.require_signing(algorithm)


def test_recorded_digest_parses_in_every_encoding():
    # The digest of the recorded sign exchange (reference section 3.13).
    digest = hashlib.sha256(MESSAGE).digest()
    assert base64.b64encode(digest).decode() == '+wxGDJPL0C0K00FBHoXsjM0xaYYPTtIHSfdfjlvQEMs='
    for text in (digest.hex(), digest.hex().upper(), '+wxGDJPL0C0K00FBHoXsjM0xaYYPTtIHSfdfjlvQEMs=',
                 '+wxGDJPL0C0K00FBHoXsjM0xaYYPTtIHSfdfjlvQEMs', base64.urlsafe_b64encode(digest).decode(), ' %s\n' % digest.hex()):
        assert _digest.parse_digest(text, 'rsa_pss_2048_sha256') == digest


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=2000), algorithm=st.sampled_from(_digest.SIGNING_ALGORITHMS), hex_form=st.booleans())
def test_parse_digest_round_trip(data, algorithm, hex_form):
    digest = _digest.digest_message(data, algorithm)
    text = digest.hex() if hex_form else base64.b64encode(digest).decode()
    assert _digest.parse_digest(text, algorithm) == digest


@pytest.mark.parametrize('text, algorithm, message', [
    ('', 'ec_p256_sha256', 'digest: the digest is empty'),
    ('   ', 'ec_p256_sha256', 'digest: the digest is empty'),
    ('zz!!', 'ec_p256_sha256', 'digest: the digest is neither hex nor base64'),
    (hashlib.sha256(b'x').hexdigest(), 'ec_p384_sha384',
     'digest: the digest is 32 bytes \\(read as hex\\), but ec_p384_sha384 signs a 48-byte SHA-384 digest'),
    (base64.b64encode(hashlib.sha384(b'x').digest()).decode(), 'ec_p256_sha256',
     'digest: the digest is 48 bytes \\(read as base64\\), but ec_p256_sha256 signs a 32-byte SHA-256 digest'),
    ('abcd', 'rsa_pkcs1_2048_sha256', 'the digest is 2 bytes \\(read as hex\\), but rsa_pkcs1_2048_sha256 signs a 32-byte'),
    (hashlib.sha256(b'x').hexdigest(), 'aes_256_gcm', 'aes_256_gcm keys are for symmetric_encryption'),
])
def test_bad_digests(text, algorithm, message):
    with pytest.raises(DigestError, match=message):
        _digest.parse_digest(text, algorithm)


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=5000), chunk_size=st.integers(min_value=1, max_value=700),
       algorithm=st.sampled_from(('ec_p256_sha256', 'ec_p384_sha384')))
def test_file_digest_in_chunks(tmp_path_factory, data, chunk_size, algorithm):
    path = tmp_path_factory.mktemp('digest') / 'file'
    path.write_bytes(data)
    assert _digest.digest_file(str(path), algorithm, chunk_size=chunk_size) == _digest.digest_message(data, algorithm)


def test_large_sparse_file_is_read_in_chunks(tmp_path, monkeypatch):
    path = tmp_path / 'big'
    with open(path, 'wb') as handle:
        handle.truncate(64 * 1024 * 1024 + 3)
    reads = []
    real_open = open

    class Recorder(object):
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *args):
            self.handle.close()

        def read(self, size=-1):
            reads.append(size)
            return self.handle.read(size)

    monkeypatch.setattr(_digest, 'open', lambda name, mode: Recorder(real_open(name, mode)), raising=False)
    digest = _digest.digest_file(str(path), 'ec_p256_sha256')
    expected = hashlib.sha256()
    expected.update(b'\0' * (64 * 1024 * 1024 + 3))
    assert digest == expected.digest()
    assert set(reads) == {_digest.CHUNK_SIZE} and len(reads) == 66


def test_unreadable_file(tmp_path):
    with pytest.raises(DigestError, match='path: cannot read .*/missing: No such file or directory'):
        _digest.digest_file(str(tmp_path / 'missing'), 'ec_p256_sha256')


# -- ECDSA encodings -----------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(data=st.data(), algorithm=st.sampled_from(_digest.EC_ALGORITHMS))
def test_ecdsa_der_raw_round_trip(data, algorithm):
    size = _digest.EC_COORDINATE_SIZES[algorithm]
    r = data.draw(st.integers(min_value=1, max_value=2 ** (8 * size) - 1))
    s = data.draw(st.integers(min_value=1, max_value=2 ** (8 * size) - 1))
    raw = r.to_bytes(size, 'big') + s.to_bytes(size, 'big')
    der = _digest.ecdsa_raw_to_der(raw)
    assert _digest.ecdsa_der_to_raw(der, size) == raw
    assert _digest.normalize_signature(raw, algorithm) == der
    assert _digest.normalize_signature(der, algorithm) == der
    assert _digest.encode_signature(raw, algorithm, 'raw') == raw
    assert _digest.encode_signature(raw, algorithm, 'der') == der


@pytest.mark.parametrize('algorithm', SIGNING_ALGORITHMS)
def test_service_signatures_normalize_and_verify(algorithm):
    info, digest, signature = signed(algorithm)
    assert _digest.check_signature(info, algorithm, digest, signature) == (True, None)
    if algorithm.startswith('ec_'):
        raw = _digest.encode_signature(signature, algorithm, 'raw')
        assert len(raw) == 2 * _digest.EC_COORDINATE_SIZES[algorithm]
        # The service's signature may arrive raw: it is normalized to DER and verifies either way.
        assert _digest.normalize_signature(raw, algorithm) == signature
        assert _digest.check_signature(info, algorithm, digest, raw)[0]
    else:
        assert _digest.encode_signature(signature, algorithm, 'raw') == signature


@pytest.mark.parametrize('algorithm', SIGNING_ALGORITHMS)
def test_tampered_messages_and_signatures_are_rejected(algorithm):
    info, digest, signature = signed(algorithm)
    other = _digest.digest_message(MESSAGE + b'!', algorithm)
    assert _digest.check_signature(info, algorithm, other, signature) == (False, 'the signature does not verify with this public key')
    flipped = bytearray(signature)
    flipped[len(flipped) // 2] ^= 0x01
    assert not _digest.check_signature(info, algorithm, digest, bytes(flipped))[0]
    assert not _digest.check_signature(info, algorithm, digest, signature[:-1])[0]
    assert _digest.check_signature(info, algorithm, digest, b'') == (False, 'the signature is empty')


@pytest.mark.parametrize('algorithm', ['rsa_pss_2048_sha256', 'rsa_pss_3072_sha256', 'rsa_pss_4096_sha256'])
def test_pss_any_salt_length_verifies(algorithm):
    private_key, info = key_for(algorithm)
    digest = _digest.digest_message(MESSAGE, algorithm)
    for salt in (0, 20, 32, 64, padding.PSS.MAX_LENGTH):
        assert _digest.check_signature(info, algorithm, digest, sign_digest(private_key, algorithm, digest, pss_salt=salt))[0]


def test_pkcs1_signature_does_not_verify_as_pss_and_back():
    private_key, info = key_for('rsa_pss_2048_sha256')
    digest = _digest.digest_message(MESSAGE, 'rsa_pss_2048_sha256')
    pss = sign_digest(private_key, 'rsa_pss_2048_sha256', digest)
    pkcs1 = sign_digest(private_key, 'rsa_pkcs1_2048_sha256', digest)
    assert not _digest.check_signature(info, 'rsa_pkcs1_2048_sha256', digest, pss)[0]
    assert not _digest.check_signature(info, 'rsa_pss_2048_sha256', digest, pkcs1)[0]


def test_verification_errors_are_not_results():
    _private_key, info = key_for('ec_p256_sha256')
    with pytest.raises(DigestError, match='the public key is an EC P-256 public key, which does not fit algorithm ec_p384_sha384'):
        _digest.check_signature(info, 'ec_p384_sha384', b'\0' * 48, b'sig')
    with pytest.raises(DigestError, match='digest: 48 bytes given, but ec_p256_sha256 signs a 32-byte sha256 digest'):
        _digest.check_signature(info, 'ec_p256_sha256', b'\0' * 48, b'sig')
    valid, reason = _digest.check_signature(info, 'ec_p256_sha256', b'\0' * 32, b'\x30\x01')
    assert not valid and 'neither ASN.1 DER nor a 64-byte raw r||s signature' in reason


# -- ML-DSA --------------------------------------------------------------------------------------

@pytest.mark.skipif(mldsa is None, reason='the installed cryptography has no ML-DSA support')
@pytest.mark.parametrize('name, algorithm', [('MLDSA44PrivateKey', 'ml_dsa_44'), ('MLDSA87PrivateKey', 'ml_dsa_87')])
def test_ml_dsa_local_verification(name, algorithm):
    private_key = getattr(mldsa, name).generate()
    info = parse_public_key(service_pem(private_key))
    digest = _digest.digest_message(MESSAGE, algorithm)
    # As the emulator signs: pure ML-DSA over the digest bytes.
    signature = private_key.sign(digest)
    assert _digest.check_signature(info, algorithm, digest, signature) == (True, None)
    assert not _digest.check_signature(info, algorithm, _digest.digest_message(b'other', algorithm), signature)[0]
    assert not _digest.check_signature(info, algorithm, digest, signature[:-1])[0]
    info.public_key = None  # as with a cryptography that cannot load ML-DSA keys
    with pytest.raises(DigestError, match='cannot verify ml_dsa_(44|87) signatures locally: the installed cryptography'):
        _digest.check_signature(info, algorithm, digest, signature)


# -- what openssl says ---------------------------------------------------------------------------

def openssl_verify_args(algorithm):
    args = ['-sha384' if algorithm == 'ec_p384_sha384' else '-sha256']
    if algorithm.startswith('rsa_pss_'):
        args += ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:auto']
    return args


@needs_openssl
@pytest.mark.parametrize('algorithm, arrives_as', [(algorithm, 'der') for algorithm in SIGNING_ALGORITHMS] +
                         [(algorithm, 'raw') for algorithm in SIGNING_ALGORITHMS if algorithm.startswith('ec_')])
def test_openssl_dgst_verifies_normalized_signatures(tmp_path, algorithm, arrives_as):
    info, digest, signature = signed(algorithm)
    if arrives_as == 'raw':
        signature = _digest.encode_signature(signature, algorithm, 'raw')
    normalized = _digest.normalize_signature(signature, algorithm)
    (tmp_path / 'key.pem').write_text(info.pem)
    (tmp_path / 'message').write_bytes(MESSAGE)
    (tmp_path / 'good.sig').write_bytes(normalized)
    (tmp_path / 'tampered').write_bytes(MESSAGE + b'!')
    verify = ['openssl', 'dgst'] + openssl_verify_args(algorithm) + ['-verify', str(tmp_path / 'key.pem'), '-signature']
    result = run(*(verify + [str(tmp_path / 'good.sig'), str(tmp_path / 'message')]))
    assert result.returncode == 0 and b'Verified OK' in result.stdout, result.stderr
    assert run(*(verify + [str(tmp_path / 'good.sig'), str(tmp_path / 'tampered')])).returncode == 1
    bad = bytearray(normalized)
    bad[-3] ^= 0x40
    (tmp_path / 'bad.sig').write_bytes(bytes(bad))
    assert run(*(verify + [str(tmp_path / 'bad.sig'), str(tmp_path / 'message')])).returncode == 1
    # openssl pkeyutl on the digest itself, as Key Manager signs it.
    (tmp_path / 'digest').write_bytes(digest)
    pkeyutl = ['openssl', 'pkeyutl', '-verify', '-pubin', '-inkey', str(tmp_path / 'key.pem'), '-in', str(tmp_path / 'digest'),
               '-sigfile', str(tmp_path / 'good.sig'), '-pkeyopt', 'digest:%s' % _digest.hash_name(algorithm)]
    if algorithm.startswith('rsa_pss_'):
        pkeyutl += ['-pkeyopt', 'rsa_padding_mode:pss', '-pkeyopt', 'rsa_pss_saltlen:auto']
    elif algorithm.startswith('rsa_pkcs1_'):
        pkeyutl += ['-pkeyopt', 'rsa_padding_mode:pkcs1']
    result = run(*pkeyutl)
    assert result.returncode == 0 and b'Signature Verified Successfully' in result.stdout, result.stderr


@needs_openssl
@pytest.mark.parametrize('algorithm', ['ec_p256_sha256', 'ec_p384_sha384', 'rsa_pss_2048_sha256', 'rsa_pkcs1_3072_sha256'])
def test_signatures_made_by_openssl_verify_locally(tmp_path, algorithm):
    """The other direction: what openssl signs with the same key, check_signature accepts (any PSS salt)."""
    from cryptography.hazmat.primitives import serialization
    private_key, info = key_for(algorithm)
    (tmp_path / 'key.pem').write_bytes(private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (tmp_path / 'message').write_bytes(MESSAGE)
    args = ['openssl', 'dgst', '-sha384' if algorithm == 'ec_p384_sha384' else '-sha256', '-sign', str(tmp_path / 'key.pem')]
    if algorithm.startswith('rsa_pss_'):
        args += ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:max']
    result = run(*(args + ['-out', str(tmp_path / 'sig'), str(tmp_path / 'message')]))
    assert result.returncode == 0, result.stderr
    digest = _digest.digest_message(MESSAGE, algorithm)
    assert _digest.check_signature(info, algorithm, digest, (tmp_path / 'sig').read_bytes())[0]
