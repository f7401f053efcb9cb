# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one way to encrypt and decrypt with Key Manager: direct or as a Tink envelope (_envelope). Private.

seal() / unseal() handle whole values; seal_into() / unseal_into() the same from a stream into a sink (a file of
any size, the envelope payload streamed); wrap_dek() / unwrap_dek() are the DEK halves. Requests:
- seal, symmetric key: one /encrypt (of the plaintext, or of the serialized DEK with empty AD);
- seal, RSA-OAEP key: one GET public-key; the plaintext never leaves the host;
- plus one GET of the key when neither `algorithm` nor target.key tells the key's algorithm;
- unseal: one /decrypt whatever the form; the key is read only to explain an error.
"""

from __future__ import annotations

from collections import namedtuple

from ._algorithms import ALGORITHM_USAGE, FACTS, SYMMETRIC_ENCRYPTION
from . import _envelope
from ._target import KeyNotFound, describe
from ._sealing_errors import ENCRYPTION_ALGORITHMS, SealingError, explained, usable_algorithm

MAX_PLAINTEXT = 65535
MAX_CIPHERTEXT = 131071
ENVELOPE_CHOICES = ('auto', 'always', 'never')

Sealed = namedtuple('Sealed', ['ciphertext', 'form'])
Opened = namedtuple('Opened', ['plaintext', 'form', 'rewrapped'])
# ENCRYPTION_ALGORITHMS is defined next to the checks that use it, and exported here.
__all__ = ['ENCRYPTION_ALGORITHMS', 'SealingError']


def is_symmetric(algorithm):
    return ALGORITHM_USAGE.get(algorithm) == SYMMETRIC_ENCRYPTION


def direct_limit(algorithm):
    """The largest plaintext one direct encryption takes: the service's, or RSA-OAEP-SHA256's (k - 66)."""
    if algorithm is None or is_symmetric(algorithm):
        return MAX_PLAINTEXT
    return FACTS[algorithm].shape // 8 - 66


def key_algorithm(client, target, algorithm=None):
    """(target, algorithm): the key's algorithm, checked for encryption and state when the key is known,
    else the hint; the key is read (one GET) only when neither tells it."""
    if target.key is None and algorithm is None:
        key = client.get_key(target.key_id, target.region)
        if key is None:
            raise KeyNotFound('key %s does not exist in region %s' % (target.key_id, target.region))
        target = target._replace(key=key)
    return target, usable_algorithm(target, algorithm)


def choose_form(algorithm, size, envelope='auto', associated_data=b''):
    """'direct' or 'envelope' for a plaintext of `size` bytes; SealingError, naming the limit and the
    `envelope` option, when envelope=never cannot be honoured. algorithm None: a symmetric key is assumed."""
    limit = direct_limit(algorithm)
    fits = 1 <= size <= limit and (is_symmetric(algorithm) or algorithm is None or not associated_data)
    if envelope == 'always' or (envelope == 'auto' and not fits):
        return 'envelope'
    if fits:
        return 'direct'
    if associated_data and size <= limit:
        raise SealingError('associated_data: %s keys take no associated data in direct encryption; use envelope: '
                           'auto or always (the associated data then protects the envelope payload)' % algorithm)
    raise SealingError('the plaintext is %d bytes, but Key Manager encrypts 1 to %d bytes directly%s; use envelope: '
                       'auto or always for %s' % (size, limit, '' if limit == MAX_PLAINTEXT else ' with %s' % algorithm,
                                                  'an empty plaintext' if not size else 'larger data'))


def _encrypt(client, target, algorithm, plaintext, associated_data=b''):
    if is_symmetric(algorithm):
        with explained(client, target, 'encrypt'):
            return client.encrypt(target.key_id, plaintext, associated_data or None, target.region)
    from ._public_key import fetch_public_key, public_key_info
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    info = public_key_info(fetch_public_key(client, target), target, algorithm)
    oaep = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    return info.public_key.encrypt(bytes(plaintext), oaep)


def wrap_dek(client, target, algorithm):
    """(dek, encrypted_dek): a fresh DEK and its Key Manager ciphertext (empty associated data)."""
    dek = _envelope.new_dek()
    client.add_secret(dek)
    return dek, _encrypt(client, target, algorithm, _envelope.serialize_dek(dek))


def seal(client, target, plaintext, associated_data=b'', envelope='auto', algorithm=None):
    """Sealed(ciphertext, form) for the plaintext (bytes) under the target key."""
    if envelope not in ENVELOPE_CHOICES:
        raise SealingError('envelope: %r is not one of %s' % (envelope, ', '.join(ENVELOPE_CHOICES)))
    target, algorithm = key_algorithm(client, target, algorithm)
    form = choose_form(algorithm, len(plaintext), envelope, associated_data)
    if form == 'direct':
        return Sealed(_encrypt(client, target, algorithm, plaintext, associated_data), form)
    dek, encrypted_dek = wrap_dek(client, target, algorithm)
    return Sealed(_envelope.pack(encrypted_dek, _envelope.seal_payload(dek, plaintext, associated_data)), form)


def kek_shaped(encrypted_dek):
    """Whether an encrypted DEK has a Key Manager ciphertext's shape: symmetric (0x01, rotation, IV, ciphertext,
    tag) or RSA-OAEP (the modulus size)."""
    return len(encrypted_dek) in (256, 384, 512) or (encrypted_dek[:1] == b'\x01' and len(encrypted_dek) > 33)


def is_envelope(blob):
    """An envelope whose encrypted DEK is kek_shaped(); a direct ciphertext passes by chance about once in 2^30."""
    return _envelope.looks_like_envelope(blob) and kek_shaped(_envelope.unpack(blob)[0])


def envelope_header(stream):
    """The encrypted DEK when the stream (from its position) holds an is_envelope() envelope, the stream then
    left at the payload; else None, the stream back where it was."""
    start = stream.tell()
    try:
        encrypted_dek = _envelope.read_header(stream)
    except _envelope.EnvelopeError:
        encrypted_dek = None
    if encrypted_dek is not None and kek_shaped(encrypted_dek):
        return encrypted_dek
    stream.seek(start)
    return None


def unwrap_dek(client, target, encrypted_dek):
    """(dek, re-encrypted DEK or None): one /decrypt with empty associated data."""
    with explained(client, target, 'decrypt', envelope=True):
        serialized, refreshed = client.decrypt(target.key_id, encrypted_dek, None, target.region)
    client.add_secret(serialized)
    return _envelope.parse_dek(serialized), refreshed or None


def check_direct_size(size):
    if not 1 <= size <= MAX_CIPHERTEXT:
        raise SealingError('the ciphertext is %d bytes and is not an envelope; Key Manager decrypts 1 to %d bytes, so '
                           'larger data must have been encrypted with envelope: auto or always' % (size, MAX_CIPHERTEXT))


def unseal(client, target, ciphertext, associated_data=b''):
    """Opened(plaintext, form, rewrapped) with one /decrypt, whatever the form."""
    if is_envelope(ciphertext):
        encrypted_dek, payload = _envelope.unpack(ciphertext)
        dek, refreshed = unwrap_dek(client, target, encrypted_dek)
        try:
            plaintext = _envelope.open_payload(dek, payload, associated_data)
        except _envelope.EnvelopeError as exc:
            raise SealingError('cannot decrypt with %s: %s' % (describe(target), exc))
        return Opened(plaintext, 'envelope', _envelope.pack(refreshed, payload) if refreshed else None)
    check_direct_size(len(ciphertext))
    if target.key is not None:
        usable_algorithm(target, None, 'decrypt')
    with explained(client, target, 'decrypt'):
        plaintext, refreshed = client.decrypt(target.key_id, ciphertext, associated_data or None, target.region)
    return Opened(plaintext, 'direct', refreshed or None)


def seal_into(client, target, algorithm, form, source, sink, associated_data=b''):
    """Encrypt the rest of source into sink in `form` (from choose_form), streaming an envelope's payload."""
    if form == 'direct':
        sink.write(seal(client, target, source.read(MAX_PLAINTEXT + 1), associated_data, 'never', algorithm).ciphertext)
        return
    dek, encrypted_dek = wrap_dek(client, target, algorithm)
    sink.write(_envelope.header(encrypted_dek))
    _envelope.seal_stream(dek, source, sink, associated_data)


Unsealed = namedtuple('Unsealed', ['form', 'refreshed', 'payload_at'])
"""refreshed: the new direct ciphertext, or an envelope's new encrypted DEK (its payload starts at payload_at)."""


def unseal_into(client, target, source, sink, associated_data=b''):
    """Decrypt the rest of source into sink with one /decrypt. An envelope's payload streams, so sink may get
    unauthenticated bytes before the SealingError of a bad tag: give a temporary file and discard it then."""
    encrypted_dek = envelope_header(source)
    if encrypted_dek is None:
        start = source.tell()
        size = source.seek(0, 2) - start
        source.seek(start)
        check_direct_size(size)
        opened = unseal(client, target, source.read(), associated_data)
        sink.write(opened.plaintext)
        return Unsealed('direct', opened.rewrapped, None)
    payload_at = source.tell()
    dek, refreshed = unwrap_dek(client, target, encrypted_dek)
    try:
        _envelope.open_stream(dek, source, sink, associated_data)
    except _envelope.EnvelopeError as exc:
        raise SealingError('cannot decrypt with %s: %s' % (describe(target), exc))
    return Unsealed('envelope', refreshed, payload_at)
