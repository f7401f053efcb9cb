# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Digests, signature encodings and local signature verification. Pure: no HTTP, no Ansible. Private.

Key Manager signs a pre-computed digest (API reference section 3.13): SHA-384 for ec_p384_sha384,
SHA-256 for every other signing algorithm (the documentation says so for "everything else"; for
ML-DSA that is an inference, see _verify_ml_dsa()). ECDSA signatures are handled in ASN.1 DER
(what `openssl dgst -verify` and X.509 use) and converted to and from raw r||s (what JOSE/JWS
uses); the service's signature is accepted in either form. RSA-PSS verification accepts any salt
length, because the service's salt length is not documented.
"""

from __future__ import annotations

import binascii
import hashlib
import re

from ._algorithms import (
    ALGORITHM_USAGE, EC_ALGORITHMS, FACTS, RSA_PKCS1_ALGORITHMS, RSA_PSS_ALGORITHMS, SIGNING_ALGORITHMS,
)
from ._errors import UserError
from ._wire import b64decode

from ._pem import CURVES, PublicKeyError

# cryptography is imported inside the functions that sign-check or re-encode, so computing a digest
# does not pay for it; callers check it first with _module.require_cryptography.

DIGEST_SIZES = {'sha256': 32, 'sha384': 48}
# ECDSA coordinate size in bytes, per algorithm.
EC_COORDINATE_SIZES = dict((name, CURVES[FACTS[name].shape][0]) for name in EC_ALGORITHMS)
SIGNATURE_FORMATS = ('der', 'raw')
CHUNK_SIZE = 1024 * 1024

_HEX = re.compile(r'\A[0-9a-fA-F]+\Z')


class DigestError(UserError):
    """Bad input for a digest or signature operation; the message names the option and the problem."""


def require_signing(algorithm, option='algorithm'):
    """Raise DigestError unless `algorithm` is a Key Manager signing algorithm."""
    if algorithm in SIGNING_ALGORITHMS:
        return algorithm
    if algorithm in ALGORITHM_USAGE:
        raise DigestError('%s: %s keys are for %s and cannot sign or verify (signing algorithms: %s)'
                          % (option, algorithm, ALGORITHM_USAGE[algorithm], ', '.join(SIGNING_ALGORITHMS)))
    raise DigestError('%s: %r is not a Key Manager signing algorithm; use one of %s'
                      % (option, algorithm, ', '.join(SIGNING_ALGORITHMS)))


def hash_name(algorithm):
    """The digest the service expects for a signing algorithm: sha384 for ec_p384_sha384, else sha256."""
    return FACTS[require_signing(algorithm)].hash


def digest_size(algorithm):
    return DIGEST_SIZES[hash_name(algorithm)]


def digest_message(data, algorithm):
    return hashlib.new(hash_name(algorithm), data).digest()


def digest_file(path, algorithm, chunk_size=CHUNK_SIZE):
    """Digest a file read in chunks, so its size does not matter. DigestError when it cannot be read."""
    hasher = hashlib.new(hash_name(algorithm))
    try:
        with open(path, 'rb') as handle:
            while True:
                chunk = handle.read(chunk_size)
                if not chunk:
                    break
                hasher.update(chunk)
    except OSError as exc:
        raise DigestError('path: cannot read %s: %s' % (path, exc.strerror or exc))
    return hasher.digest()


def parse_digest(text, algorithm, option='digest'):
    """A pre-computed digest given as hex or base64 (standard or URL-safe, padding optional), checked
    against the length the algorithm requires."""
    value = (text or '').strip()
    if not value:
        raise DigestError('%s: the digest is empty' % option)
    if _HEX.match(value) and len(value) % 2 == 0:
        raw, encoding = binascii.unhexlify(value), 'hex'
    else:
        raw, encoding = decode_base64(value, option, 'digest'), 'base64'
    name = hash_name(algorithm)
    if len(raw) != DIGEST_SIZES[name]:
        raise DigestError('%s: the digest is %d bytes (read as %s), but %s signs a %d-byte %s digest'
                          % (option, len(raw), encoding, algorithm, DIGEST_SIZES[name], name.upper().replace('SHA', 'SHA-')))
    return raw


def decode_base64(text, option, what='value', allow_empty=False):
    """_wire.b64decode with messages naming the option; empty is an error unless allow_empty."""
    if not ''.join((text or '').split()) and not allow_empty:
        raise DigestError('%s: the %s is empty' % (option, what))
    try:
        return b64decode(text or '')
    except ValueError:
        raise DigestError('%s: the %s is neither hex nor base64' % (option, what) if what == 'digest'
                          else '%s: the %s is not valid base64' % (option, what))


# -- ECDSA signature encodings -------------------------------------------------------------------

def ecdsa_raw_to_der(raw):
    """r||s (two big-endian integers of equal size) -> ASN.1 DER."""
    if not raw or len(raw) % 2:
        raise DigestError('a raw ECDSA signature has an even, non-zero length; got %d bytes' % len(raw))
    from cryptography.hazmat.primitives.asymmetric import utils
    half = len(raw) // 2
    return utils.encode_dss_signature(int.from_bytes(raw[:half], 'big'), int.from_bytes(raw[half:], 'big'))


def ecdsa_der_to_raw(der, coordinate_size):
    from cryptography.hazmat.primitives.asymmetric import utils
    r, s = utils.decode_dss_signature(der)
    if max(r.bit_length(), s.bit_length()) > coordinate_size * 8:
        raise DigestError('the ECDSA signature does not fit a %d-byte curve' % coordinate_size)
    return r.to_bytes(coordinate_size, 'big') + s.to_bytes(coordinate_size, 'big')


def _strict_der(signature):
    """(r, s) when the bytes are a canonical DER ECDSA signature, else None."""
    from cryptography.hazmat.primitives.asymmetric import utils
    try:
        r, s = utils.decode_dss_signature(signature)
    except (ValueError, TypeError):
        return None
    if utils.encode_dss_signature(r, s) != signature:
        return None
    return r, s


def ecdsa_to_der(signature, algorithm):
    """An ECDSA signature in DER or raw r||s form -> DER; DigestError when it is neither."""
    size = EC_COORDINATE_SIZES[algorithm]
    if _strict_der(signature) is not None:
        return signature
    if len(signature) == 2 * size:
        return ecdsa_raw_to_der(signature)
    raise DigestError('the ECDSA signature (%d bytes) is neither ASN.1 DER nor a %d-byte raw r||s signature for %s'
                      % (len(signature), 2 * size, algorithm))


def normalize_signature(signature, algorithm):
    """The service's signature in canonical form: DER for ECDSA, unchanged for RSA and ML-DSA."""
    if algorithm in EC_ALGORITHMS:
        return ecdsa_to_der(signature, algorithm)
    return signature


def encode_signature(signature, algorithm, signature_format='der'):
    """A normalized signature in the requested form; signature_format only changes ECDSA signatures."""
    if signature_format not in SIGNATURE_FORMATS:
        raise DigestError('signature_format: must be one of %s' % ', '.join(SIGNATURE_FORMATS))
    if algorithm in EC_ALGORITHMS and signature_format == 'raw':
        return ecdsa_der_to_raw(ecdsa_to_der(signature, algorithm), EC_COORDINATE_SIZES[algorithm])
    return normalize_signature(signature, algorithm)


# -- local verification --------------------------------------------------------------------------

def check_signature(info, algorithm, digest, signature):
    """(valid, reason) for a signature over a digest, verified locally with the public key `info`
    (a _pem.PublicKeyInfo). An invalid or malformed signature is (False, why), not an error;
    DigestError means the check itself cannot be made (wrong digest length, key/algorithm mismatch,
    ML-DSA unavailable in the installed cryptography)."""
    require_signing(algorithm)
    try:
        info.check_algorithm(algorithm)
    except PublicKeyError as exc:
        raise DigestError(str(exc))
    if len(digest) != digest_size(algorithm):
        raise DigestError('digest: %d bytes given, but %s signs a %d-byte %s digest'
                          % (len(digest), algorithm, digest_size(algorithm), hash_name(algorithm)))
    if not signature:
        return False, 'the signature is empty'
    return _verify(info, algorithm, digest, signature)


def _verify(info, algorithm, digest, signature):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
    try:
        if algorithm in EC_ALGORITHMS:
            try:
                der = ecdsa_to_der(signature, algorithm)
            except DigestError as exc:
                return False, str(exc)
            hash_algorithm = hashes.SHA384() if hash_name(algorithm) == 'sha384' else hashes.SHA256()
            info.public_key.verify(der, digest, ec.ECDSA(utils.Prehashed(hash_algorithm)))
        elif algorithm in RSA_PSS_ALGORITHMS:
            return _verify_pss(info.public_key, digest, signature)
        elif algorithm in RSA_PKCS1_ALGORITHMS:
            info.public_key.verify(signature, digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
        else:
            return _verify_ml_dsa(info, algorithm, digest, signature)
    except InvalidSignature:
        return False, 'the signature does not verify with this public key'
    return True, None


def _verify_pss(public_key, digest, signature):
    # Any salt length: the service's PSS salt length is undocumented (reference section 3.13).
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, utils
    auto = getattr(padding.PSS, 'AUTO', None)
    if auto is not None:
        salt_lengths = [auto]
    else:  # cryptography < 37: try the two lengths signers use (digest length, and the maximum)
        salt_lengths = [32, padding.PSS.MAX_LENGTH]
    for salt_length in salt_lengths:
        try:
            public_key.verify(signature, digest, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt_length),
                              utils.Prehashed(hashes.SHA256()))
            return True, None
        except InvalidSignature:
            continue
    return False, 'the signature does not verify with this public key'


def _verify_ml_dsa(info, algorithm, digest, signature):
    """[Inference] Key Manager does not document what ML-DSA signs when given a "digest"; this follows the
    collection's emulator: pure ML-DSA (FIPS 204, empty context) over the digest bytes as the message."""
    if info.public_key is None:
        raise DigestError('cannot verify %s signatures locally: the installed cryptography Python package cannot load '
                          'ML-DSA keys (it needs a cryptography and OpenSSL build with FIPS 204 support); verify '
                          'through the API instead' % algorithm)
    from cryptography.exceptions import InvalidSignature
    try:
        info.public_key.verify(signature, digest)
    except InvalidSignature:
        return False, 'the signature does not verify with this public key'
    except ValueError as exc:
        return False, 'the ML-DSA signature is malformed (%s)' % exc
    return True, None


def candidate_signing_algorithms(info):
    """The signing algorithms a public key can belong to (both RSA schemes for an RSA key)."""
    return tuple(algorithm for algorithm in info.candidate_algorithms() if algorithm in SIGNING_ALGORITHMS)
