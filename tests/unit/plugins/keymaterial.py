# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Key material shared by the public key and signing tests: keys are generated once per session."""

from __future__ import annotations

import base64
import functools
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

RSA_SIZES = (2048, 3072, 4096)
EC_CURVES = {'P-256': ec.SECP256R1, 'P-384': ec.SECP384R1}
RSA_KEYS_PER_SIZE = 2

OPENSSL = shutil.which('openssl')
SSH_KEYGEN = shutil.which('ssh-keygen')
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason='the openssl binary is not installed (apt-get install openssl)')
needs_ssh_keygen = pytest.mark.skipif(SSH_KEYGEN is None, reason='ssh-keygen is not installed (apt-get install openssh-client)')


@functools.lru_cache(maxsize=None)
def rsa_keys(size):
    return tuple(rsa.generate_private_key(public_exponent=65537, key_size=size) for _index in range(RSA_KEYS_PER_SIZE))


def rsa_key(size, index=0):
    return rsa_keys(size)[index]


@functools.lru_cache(maxsize=None)
def ec_key(curve_name, index=0):
    return ec.generate_private_key(EC_CURVES[curve_name]())


def all_rsa_private_keys():
    return [key for size in RSA_SIZES for key in rsa_keys(size)]


def pem(der, label):
    body = base64.b64encode(der).decode('ascii')
    return '-----BEGIN %s-----\n%s\n-----END %s-----\n' % (label, '\n'.join(body[i:i + 64] for i in range(0, len(body), 64)), label)


def spki_der(public_key):
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def pkcs1_der(public_key):
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def ec_point(public_key, compressed=False):
    form = serialization.PublicFormat.CompressedPoint if compressed else serialization.PublicFormat.UncompressedPoint
    return public_key.public_bytes(serialization.Encoding.X962, form)


def service_pem(private_key):
    """The public key as Key Manager serves it (reference section 3.3)."""
    public_key = private_key.public_key()
    if isinstance(public_key, rsa.RSAPublicKey):
        return pem(pkcs1_der(public_key), 'RSA PUBLIC KEY')
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return pem(spki_der(public_key), 'EC PUBLIC KEY')
    return pem(spki_der(public_key), 'PUBLIC KEY')


ALGORITHM_KEYS = {
    'ec_p256_sha256': lambda: ec_key('P-256'),
    'ec_p384_sha384': lambda: ec_key('P-384'),
    'rsa_pss_2048_sha256': lambda: rsa_key(2048),
    'rsa_pss_3072_sha256': lambda: rsa_key(3072),
    'rsa_pss_4096_sha256': lambda: rsa_key(4096),
    'rsa_pkcs1_2048_sha256': lambda: rsa_key(2048, 1),
    'rsa_pkcs1_3072_sha256': lambda: rsa_key(3072, 1),
    'rsa_pkcs1_4096_sha256': lambda: rsa_key(4096, 1),
}
SIGNING_ALGORITHMS = tuple(ALGORITHM_KEYS)


def sign_digest(private_key, algorithm, digest, pss_salt=None):
    """Sign a digest as the service does (DER for ECDSA; PSS salt = digest length unless given)."""
    hash_algorithm = hashes.SHA384() if algorithm == 'ec_p384_sha384' else hashes.SHA256()
    prehashed = utils.Prehashed(hash_algorithm)
    if algorithm.startswith('ec_'):
        return private_key.sign(digest, ec.ECDSA(prehashed))
    if algorithm.startswith('rsa_pss_'):
        salt = padding.PSS.DIGEST_LENGTH if pss_salt is None else pss_salt
        return private_key.sign(digest, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt), prehashed)
    return private_key.sign(digest, padding.PKCS1v15(), prehashed)


def run(*args, **kwargs):
    return subprocess.run(list(args), capture_output=True, check=False, **kwargs)
