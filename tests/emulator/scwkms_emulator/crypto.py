"""Real cryptography for the emulator, on the ``cryptography`` package.

Symmetric ciphertexts use the recorded layout ``0x01 | be32(version) | nonce12 | ct | tag16``
(AES-256-GCM, one AES key per rotation version). Asymmetric keys are objects exposing the
operations their algorithm allows (``operations``); their failures are the API errors of
reference section 5.3.
"""

import base64
import os
import struct

from cryptography.exceptions import InvalidSignature, InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import errors
from .constants import HKDF_INFO, MAX_WRAP_CIPHERTEXT, MAX_WRAP_PLAINTEXT, ML_DSA_DIGEST_LENGTHS

try:  # ML-DSA and ML-KEM need cryptography >= 46 (built on an OpenSSL that has them)
    from cryptography.hazmat.primitives.asymmetric import mldsa, mlkem
except ImportError:
    mldsa = mlkem = None

ENVELOPE_MARKER = 0x01
_HEADER = struct.Struct(">BI")
NONCE_BYTES = 12
TAG_BYTES = 16
AES_KEY_BYTES = 32
_MIN_ENVELOPE = _HEADER.size + NONCE_BYTES + TAG_BYTES
_SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def new_aes_key():
    return os.urandom(AES_KEY_BYTES)


def derive_imported_key(material, salt):
    """The AES key of an imported rotation: HKDF-SHA256 of the material with the salt (random if absent)."""
    return HKDF(algorithm=hashes.SHA256(), length=AES_KEY_BYTES, salt=salt or os.urandom(32), info=HKDF_INFO).derive(material)


def seal(aes_key, version, plaintext, associated_data):
    """AES-256-GCM under ``aes_key``, prefixed with the version header; empty AD is no AD."""
    nonce = os.urandom(NONCE_BYTES)
    return _HEADER.pack(ENVELOPE_MARKER, version) + nonce + AESGCM(aes_key).encrypt(nonce, plaintext, associated_data or None)


def envelope_version(ciphertext):
    """The rotation version named by a symmetric ciphertext's header."""
    if len(ciphertext) < _MIN_ENVELOPE or ciphertext[0] != ENVELOPE_MARKER:
        raise errors.constraint("ciphertext", "malformed ciphertext")
    return _HEADER.unpack_from(ciphertext)[1]


def open_sealed(aes_key, ciphertext, associated_data):
    """Inverse of :func:`seal`; a tag failure is the recorded 400 body."""
    start = _HEADER.size
    nonce = ciphertext[start:start + NONCE_BYTES]
    try:
        return AESGCM(aes_key).decrypt(nonce, ciphertext[start + NONCE_BYTES:], associated_data or None)
    except InvalidTag as exc:
        raise errors.authentication_failed() from exc


def pem(der, label):
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label)


def _check_digest(digest, length, algorithm):
    if len(digest) != length:
        raise errors.constraint("digest", "digest must be %d bytes for %s" % (length, algorithm))


class RsaOaepKey:
    """RSA-OAEP with SHA-256 and MGF1-SHA-256, no label; raw ciphertext of the modulus size."""

    operations = frozenset(("encrypt", "decrypt"))

    def __init__(self, algorithm, private_key):
        self.algorithm = algorithm
        self.private_key = private_key
        self.max_plaintext = private_key.key_size // 8 - 2 * 32 - 2
        self._padding = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)

    def public_pem(self):
        return rsa_public_pem(self.private_key)

    def encrypt(self, plaintext):
        if len(plaintext) > self.max_plaintext:
            raise errors.constraint("plaintext", "plaintext must be at most %d bytes for %s" % (self.max_plaintext, self.algorithm))
        return self.private_key.public_key().encrypt(plaintext, self._padding)

    def decrypt(self, ciphertext):
        try:
            return self.private_key.decrypt(ciphertext, self._padding)
        except ValueError as exc:
            raise errors.constraint("ciphertext", "crypto/rsa: decryption error") from exc


class RsaSigningKey:
    """RSA-PSS (salt = digest length when signing, any salt when verifying) or PKCS#1 v1.5, on a SHA-256 digest."""

    operations = frozenset(("sign", "verify"))

    def __init__(self, algorithm, private_key):
        self.algorithm = algorithm
        self.private_key = private_key
        self._pss = algorithm.startswith("rsa_pss_")
        self._prehashed = utils.Prehashed(hashes.SHA256())

    def public_pem(self):
        return rsa_public_pem(self.private_key)

    def sign(self, digest):
        _check_digest(digest, 32, self.algorithm)
        return self.private_key.sign(digest, self._padding(padding.PSS.DIGEST_LENGTH), self._prehashed)

    def verify(self, digest, signature):
        _check_digest(digest, 32, self.algorithm)
        try:
            self.private_key.public_key().verify(signature, digest, self._padding(padding.PSS.AUTO), self._prehashed)
        except InvalidSignature:
            return False
        return True

    def _padding(self, salt_length):
        if self._pss:
            return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt_length)
        return padding.PKCS1v15()


def rsa_public_pem(private_key):
    """RSA public keys as the real service sends them: ``RSA PUBLIC KEY`` with PKCS#1 DER."""
    return private_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode("ascii")


class EcSigningKey:
    """ECDSA on a pre-computed digest; signatures are ASN.1 DER."""

    operations = frozenset(("sign", "verify"))

    def __init__(self, algorithm, private_key, hash_algorithm):
        self.algorithm = algorithm
        self.private_key = private_key
        self._hash = hash_algorithm
        self._ecdsa = ec.ECDSA(utils.Prehashed(hash_algorithm))

    def public_pem(self):
        """``EC PUBLIC KEY`` header over SubjectPublicKeyInfo DER, as the smallstep integration expects."""
        return pem(self.private_key.public_key().public_bytes(*_SPKI), "EC PUBLIC KEY")

    def sign(self, digest):
        _check_digest(digest, self._hash.digest_size, self.algorithm)
        return self.private_key.sign(digest, self._ecdsa)

    def verify(self, digest, signature):
        _check_digest(digest, self._hash.digest_size, self.algorithm)
        try:
            self.private_key.public_key().verify(signature, digest, self._ecdsa)
        except InvalidSignature:
            return False
        return True


class MlDsaKey:
    """ML-DSA (FIPS 204): signs the submitted digest bytes as the message (see constants)."""

    operations = frozenset(("sign", "verify"))

    def __init__(self, algorithm, private_key):
        self.algorithm = algorithm
        self.private_key = private_key

    def public_pem(self):
        return pem(self.private_key.public_key().public_bytes(*_SPKI), "PUBLIC KEY")

    def sign(self, digest):
        self._check(digest)
        return self.private_key.sign(digest)

    def verify(self, digest, signature):
        self._check(digest)
        try:
            self.private_key.public_key().verify(signature, digest)
        except InvalidSignature:
            return False
        return True

    def _check(self, digest):
        if len(digest) not in ML_DSA_DIGEST_LENGTHS:
            raise errors.constraint("digest", "digest must be 32, 48 or 64 bytes for %s" % self.algorithm)


class MlKemKey:
    """ML-KEM (FIPS 203) key wrapping: ``kem_ciphertext | nonce12 | AES-256-GCM(HKDF(shared secret))``."""

    operations = frozenset(("wrap", "unwrap"))

    def __init__(self, algorithm, private_key):
        self.algorithm = algorithm
        self.private_key = private_key
        self._kem_bytes = _ML_KEM_CIPHERTEXT_BYTES[algorithm]

    def public_pem(self):
        return pem(self.private_key.public_key().public_bytes(*_SPKI), "PUBLIC KEY")

    def wrap(self, plaintext, associated_data):
        if len(plaintext) > MAX_WRAP_PLAINTEXT:
            raise errors.constraint("plaintext", "plaintext must be at most %d bytes" % MAX_WRAP_PLAINTEXT)
        shared_secret, kem_ciphertext = self.private_key.public_key().encapsulate()
        nonce = os.urandom(NONCE_BYTES)
        return kem_ciphertext + nonce + AESGCM(_kem_aes_key(shared_secret)).encrypt(nonce, plaintext, associated_data or None)

    def unwrap(self, ciphertext, associated_data):
        if not self._kem_bytes + NONCE_BYTES + TAG_BYTES <= len(ciphertext) <= MAX_WRAP_CIPHERTEXT:
            raise errors.constraint("ciphertext", "malformed ciphertext")
        kem_ciphertext, nonce = ciphertext[:self._kem_bytes], ciphertext[self._kem_bytes:self._kem_bytes + NONCE_BYTES]
        aes_key = _kem_aes_key(self.private_key.decapsulate(kem_ciphertext))
        try:
            return AESGCM(aes_key).decrypt(nonce, ciphertext[self._kem_bytes + NONCE_BYTES:], associated_data or None)
        except InvalidTag as exc:
            raise errors.authentication_failed() from exc


def _kem_aes_key(shared_secret):
    return HKDF(algorithm=hashes.SHA256(), length=AES_KEY_BYTES, salt=None, info=HKDF_INFO + b" ml-kem").derive(shared_secret)


_ML_DSA = {"ml_dsa_44": "MLDSA44PrivateKey", "ml_dsa_65": "MLDSA65PrivateKey", "ml_dsa_87": "MLDSA87PrivateKey"}
_ML_KEM = {"ml_kem_768": "MLKEM768PrivateKey", "ml_kem_1024": "MLKEM1024PrivateKey"}
_ML_KEM_CIPHERTEXT_BYTES = {"ml_kem_768": 1088, "ml_kem_1024": 1568}
_EC = {"ec_p256_sha256": (ec.SECP256R1, hashes.SHA256), "ec_p384_sha384": (ec.SECP384R1, hashes.SHA384)}


def _generate_post_quantum(module, class_name, algorithm):
    """A new ML-DSA/ML-KEM private key, or a clear 400 when the installed cryptography lacks the algorithm."""
    try:
        return getattr(module, class_name).generate()
    except (AttributeError, UnsupportedAlgorithm) as exc:
        raise errors.constraint("usage", "%s is not supported by this emulator: the installed cryptography package lacks it" % algorithm) from exc


def rsa_bits(algorithm):
    """Modulus size of an RSA algorithm name such as ``rsa_pss_3072_sha256``, else None."""
    parts = algorithm.split("_")
    return int(parts[2]) if parts[0] == "rsa" else None


def generate_asymmetric(algorithm, rsa_private_key):
    """A fresh asymmetric key for ``algorithm``; ``rsa_private_key(bits)`` supplies RSA keys (see keypool)."""
    if algorithm in _ML_DSA:
        return MlDsaKey(algorithm, _generate_post_quantum(mldsa, _ML_DSA[algorithm], algorithm))
    if algorithm in _ML_KEM:
        return MlKemKey(algorithm, _generate_post_quantum(mlkem, _ML_KEM[algorithm], algorithm))
    if algorithm in _EC:
        curve, hash_class = _EC[algorithm]
        return EcSigningKey(algorithm, ec.generate_private_key(curve()), hash_class())
    private_key = rsa_private_key(rsa_bits(algorithm))
    if algorithm.startswith("rsa_oaep_"):
        return RsaOaepKey(algorithm, private_key)
    return RsaSigningKey(algorithm, private_key)
