# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every fact about Key Manager algorithms, in one table (API reference sections 2.1 and 3.13). Private.

_digest.py, _pem.py, the modules' choices and the doc fragment (checked by a unit test) derive from it.
"""

from __future__ import annotations

from collections import namedtuple

SYMMETRIC_ENCRYPTION = 'symmetric_encryption'
ASYMMETRIC_ENCRYPTION = 'asymmetric_encryption'
ASYMMETRIC_SIGNING = 'asymmetric_signing'
USAGES = (SYMMETRIC_ENCRYPTION, ASYMMETRIC_ENCRYPTION, ASYMMETRIC_SIGNING)

Algorithm = namedtuple('Algorithm', ['name', 'usage', 'family', 'key_type', 'shape', 'hash', 'jwk'])
"""shape: what the public key shows of it (RSA modulus bits, EC curve, ML-DSA/ML-KEM parameter set);
hash: the digest Key Manager signs (SHA-384 for ec_p384_sha384, SHA-256 for every other signing algorithm,
an inference for ML-DSA); jwk: RFC 7518 (alg, use), when JOSE has a name for it."""

_S, _E = ASYMMETRIC_SIGNING, ASYMMETRIC_ENCRYPTION
_TABLE = (
    Algorithm('aes_256_gcm', SYMMETRIC_ENCRYPTION, 'aes', None, None, None, None),
    Algorithm('rsa_oaep_2048_sha256', _E, 'rsa_oaep', 'RSA', 2048, None, ('RSA-OAEP-256', 'enc')),
    Algorithm('rsa_oaep_3072_sha256', _E, 'rsa_oaep', 'RSA', 3072, None, ('RSA-OAEP-256', 'enc')),
    Algorithm('rsa_oaep_4096_sha256', _E, 'rsa_oaep', 'RSA', 4096, None, ('RSA-OAEP-256', 'enc')),
    Algorithm('ml_kem_768', _E, 'ml_kem', 'ML-KEM', 'ML-KEM-768', None, None),
    Algorithm('ml_kem_1024', _E, 'ml_kem', 'ML-KEM', 'ML-KEM-1024', None, None),
    Algorithm('ec_p256_sha256', _S, 'ecdsa', 'EC', 'P-256', 'sha256', ('ES256', 'sig')),
    Algorithm('ec_p384_sha384', _S, 'ecdsa', 'EC', 'P-384', 'sha384', ('ES384', 'sig')),
    Algorithm('rsa_pss_2048_sha256', _S, 'rsa_pss', 'RSA', 2048, 'sha256', ('PS256', 'sig')),
    Algorithm('rsa_pss_3072_sha256', _S, 'rsa_pss', 'RSA', 3072, 'sha256', ('PS256', 'sig')),
    Algorithm('rsa_pss_4096_sha256', _S, 'rsa_pss', 'RSA', 4096, 'sha256', ('PS256', 'sig')),
    Algorithm('rsa_pkcs1_2048_sha256', _S, 'rsa_pkcs1', 'RSA', 2048, 'sha256', ('RS256', 'sig')),
    Algorithm('rsa_pkcs1_3072_sha256', _S, 'rsa_pkcs1', 'RSA', 3072, 'sha256', ('RS256', 'sig')),
    Algorithm('rsa_pkcs1_4096_sha256', _S, 'rsa_pkcs1', 'RSA', 4096, 'sha256', ('RS256', 'sig')),
    Algorithm('ml_dsa_44', _S, 'ml_dsa', 'ML-DSA', 'ML-DSA-44', 'sha256', None),
    Algorithm('ml_dsa_65', _S, 'ml_dsa', 'ML-DSA', 'ML-DSA-65', 'sha256', None),
    Algorithm('ml_dsa_87', _S, 'ml_dsa', 'ML-DSA', 'ML-DSA-87', 'sha256', None),
)
FACTS = dict((row.name, row) for row in _TABLE)
ALGORITHMS = tuple(row.name for row in _TABLE)
ALGORITHM_USAGE = dict((row.name, row.usage) for row in _TABLE)


def named(family=None, usage=None):
    """The algorithms of a family or usage, in table order."""
    return tuple(row.name for row in _TABLE
                 if (family is None or row.family == family) and (usage is None or row.usage == usage))


SIGNING_ALGORITHMS = named(usage=ASYMMETRIC_SIGNING)
EC_ALGORITHMS = named('ecdsa')
RSA_PSS_ALGORITHMS = named('rsa_pss')
RSA_PKCS1_ALGORITHMS = named('rsa_pkcs1')


def fitting(key_type, shape):
    """The algorithms whose public key has this type and shape, in table order."""
    return tuple(row.name for row in _TABLE if row.key_type == key_type and row.shape == shape)


def usage_of(algorithm):
    return ALGORITHM_USAGE[algorithm]


def usage_body(algorithm):
    """The one-of `usage` object, built by hand: the Python SDK's dataclass serialises it wrongly."""
    return {usage_of(algorithm): algorithm}


def algorithm_of(key):
    """The algorithm of a Key as the API returns it ({"usage": {"<usage>": "<algorithm>"}})."""
    for usage in USAGES:
        value = (key.get('usage') or {}).get(usage)
        if value:
            return value
    return None


def is_rotatable(algorithm):
    return usage_of(algorithm) == SYMMETRIC_ENCRYPTION
