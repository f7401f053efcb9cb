# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Key Manager algorithms and the usage each implies (API reference section 2.1). Private."""

from __future__ import annotations

SYMMETRIC_ENCRYPTION = 'symmetric_encryption'
ASYMMETRIC_ENCRYPTION = 'asymmetric_encryption'
ASYMMETRIC_SIGNING = 'asymmetric_signing'
USAGES = (SYMMETRIC_ENCRYPTION, ASYMMETRIC_ENCRYPTION, ASYMMETRIC_SIGNING)

ALGORITHM_USAGE = {
    'aes_256_gcm': SYMMETRIC_ENCRYPTION,
    'rsa_oaep_2048_sha256': ASYMMETRIC_ENCRYPTION,
    'rsa_oaep_3072_sha256': ASYMMETRIC_ENCRYPTION,
    'rsa_oaep_4096_sha256': ASYMMETRIC_ENCRYPTION,
    'ml_kem_768': ASYMMETRIC_ENCRYPTION,
    'ml_kem_1024': ASYMMETRIC_ENCRYPTION,
    'ec_p256_sha256': ASYMMETRIC_SIGNING,
    'ec_p384_sha384': ASYMMETRIC_SIGNING,
    'rsa_pss_2048_sha256': ASYMMETRIC_SIGNING,
    'rsa_pss_3072_sha256': ASYMMETRIC_SIGNING,
    'rsa_pss_4096_sha256': ASYMMETRIC_SIGNING,
    'rsa_pkcs1_2048_sha256': ASYMMETRIC_SIGNING,
    'rsa_pkcs1_3072_sha256': ASYMMETRIC_SIGNING,
    'rsa_pkcs1_4096_sha256': ASYMMETRIC_SIGNING,
    'ml_dsa_44': ASYMMETRIC_SIGNING,
    'ml_dsa_65': ASYMMETRIC_SIGNING,
    'ml_dsa_87': ASYMMETRIC_SIGNING,
}
ALGORITHMS = tuple(ALGORITHM_USAGE)


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
