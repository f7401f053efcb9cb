"""Cryptographic endpoints: encrypt, decrypt, data keys, sign, verify, public key, wrap, unwrap.

The key's state and material are read under the store lock; the cryptography itself runs outside
it, so slow RSA operations do not serialise the whole server.
"""

import os

from . import crypto, errors, payloads
from .constants import (
    DATA_KEY_ALGORITHM, DATA_KEY_BYTES, MAX_CIPHERTEXT, MAX_PLAINTEXT, MAX_WRAP_CIPHERTEXT, MAX_WRAP_PLAINTEXT,
    STATE_ENABLED, STATE_SCHEDULED,
)
from .lifecycle import state_error
from .wire import encode_bytes, format_timestamp

SYMMETRIC_OPERATIONS = frozenset(("encrypt", "decrypt", "generate-data-key"))
_DATA_KEY_ALGORITHMS = (None, "", "unknown_symmetric_encryption", DATA_KEY_ALGORITHM)


def _operations(key, versions):
    return SYMMETRIC_OPERATIONS if key.is_symmetric else versions[0].operations


def _usable_key(backend, call, operation):
    """``(key, versions)`` for a crypto operation: the key must allow it and be enabled (else 412)."""
    with backend.store.lock:
        key = backend.store.find(call.key_id, call.region, call.principal)
        versions = list(key.versions)
        if operation not in _operations(key, versions):
            raise errors.precondition("%s keys (%s) do not support %s" % (key.usage, key.algorithm, operation))
        if key.state != STATE_ENABLED:
            raise state_error(key)
        return key, versions


def encrypt(backend, call):
    plaintext = payloads.required_bytes(call.body, "plaintext", MAX_PLAINTEXT)
    associated_data = payloads.optional_bytes(call.body, "associated_data")
    key, versions = _usable_key(backend, call, "encrypt")
    if key.is_symmetric:
        ciphertext = crypto.seal(versions[-1], len(versions), plaintext, associated_data)
    else:
        _refuse_associated_data(associated_data)
        ciphertext = versions[0].encrypt(plaintext)
    return 200, {"key_id": key.id, "ciphertext": encode_bytes(ciphertext)}


def decrypt(backend, call):
    """Symmetric decrypt also returns the data re-encrypted with the newest version when it was older."""
    ciphertext = payloads.required_bytes(call.body, "ciphertext", MAX_CIPHERTEXT)
    associated_data = payloads.optional_bytes(call.body, "associated_data")
    key, versions = _usable_key(backend, call, "decrypt")
    if not key.is_symmetric:
        _refuse_associated_data(associated_data)
        return 200, {"key_id": key.id, "plaintext": encode_bytes(versions[0].decrypt(ciphertext)), "ciphertext": None}
    version = crypto.envelope_version(ciphertext)
    if not 1 <= version <= len(versions):
        raise errors.constraint("ciphertext", "ciphertext names a key rotation this key does not have")
    plaintext = crypto.open_sealed(versions[version - 1], ciphertext, associated_data)
    refreshed = None
    if version < len(versions):
        refreshed = encode_bytes(crypto.seal(versions[-1], len(versions), plaintext, associated_data))
    return 200, {"key_id": key.id, "plaintext": encode_bytes(plaintext), "ciphertext": refreshed}


def _refuse_associated_data(associated_data):
    if associated_data:
        raise errors.constraint("associated_data", "associated data is only supported by symmetric keys")


def generate_data_key(backend, call):
    """32 random bytes, encrypted without associated data by the newest version; a missing algorithm is aes_256_gcm."""
    algorithm = call.body.get("algorithm")
    if algorithm not in _DATA_KEY_ALGORITHMS:
        raise errors.constraint("algorithm", "must be aes_256_gcm")
    without_plaintext = payloads.optional_bool(call.body, "without_plaintext")
    key, versions = _usable_key(backend, call, "generate-data-key")
    data_key = os.urandom(DATA_KEY_BYTES)
    return 200, {
        "key_id": key.id,
        "algorithm": DATA_KEY_ALGORITHM,
        "ciphertext": encode_bytes(crypto.seal(versions[-1], len(versions), data_key, b"")),
        "plaintext": None if without_plaintext else encode_bytes(data_key),
        "created_at": format_timestamp(backend.clock.now(), precision="nano"),
    }


def sign(backend, call):
    digest = payloads.required_bytes(call.body, "digest", MAX_PLAINTEXT)
    key, versions = _usable_key(backend, call, "sign")
    return 200, {"key_id": key.id, "signature": encode_bytes(versions[0].sign(digest))}


def verify(backend, call):
    """A wrong signature is not an error: 200 with ``valid: false``."""
    digest = payloads.required_bytes(call.body, "digest", MAX_PLAINTEXT)
    signature = payloads.required_bytes(call.body, "signature", MAX_PLAINTEXT)
    key, versions = _usable_key(backend, call, "verify")
    return 200, {"key_id": key.id, "valid": versions[0].verify(digest, signature)}


def wrap_key(backend, call):
    plaintext = payloads.required_bytes(call.body, "plaintext", MAX_WRAP_PLAINTEXT)
    associated_data = payloads.optional_bytes(call.body, "associated_data")
    key, versions = _usable_key(backend, call, "wrap")
    return 200, {"key_id": key.id, "ciphertext": encode_bytes(versions[0].wrap(plaintext, associated_data))}


def unwrap_key(backend, call):
    ciphertext = payloads.required_bytes(call.body, "ciphertext", MAX_WRAP_CIPHERTEXT)
    associated_data = payloads.optional_bytes(call.body, "associated_data")
    key, versions = _usable_key(backend, call, "unwrap")
    return 200, {"key_id": key.id, "plaintext": encode_bytes(versions[0].unwrap(ciphertext, associated_data))}


def get_public_key(backend, call):
    """[INF] Symmetric keys answer 412; the public key stays readable while the key is disabled."""
    with backend.store.lock:
        key = backend.store.find(call.key_id, call.region, call.principal)
        if key.is_symmetric:
            raise errors.precondition("symmetric keys have no public key")
        if key.state == STATE_SCHEDULED:
            raise state_error(key)
        material = key.versions[0]
    return 200, {"pem": material.public_pem()}
