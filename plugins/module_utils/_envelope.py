# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tink's KMS envelope AEAD wire format, byte for byte, with no HTTP. Private.

    envelope = be32(len(encrypted_dek)) || encrypted_dek || payload
    payload  = iv(12) || AES-GCM ciphertext || tag(16)   (the user's associated data; no Tink output prefix)
    DEK      = serialized Tink AesGcmKey: 1a 20 <32 key bytes> (version 0 omitted), encrypted with empty AD

Whole values: new_dek(), serialize_dek(), parse_dek(), pack(), unpack(), seal_payload(), open_payload(),
looks_like_envelope().

Streams (files of any size, constant memory): header(encrypted_dek) is what precedes the payload;
read_header(stream) reads it back and returns the encrypted DEK, leaving the stream at the payload;
seal_stream(key, source, sink, aad) writes the payload of everything `source` holds; open_stream(key, source,
sink, aad) writes the plaintext of the payload `source` holds and raises EnvelopeError when the tag does not
verify, after having written unauthenticated plaintext: the caller writes to a temporary file and discards it
on error. `cryptography` is imported lazily, so importing this module never fails.
"""

from __future__ import annotations

import os
import struct

from ._errors import UserError

LENGTH_SIZE = 4
IV_SIZE = 12
TAG_SIZE = 16
DEK_SIZE = 32
MAX_ENCRYPTED_DEK = 4096
OVERHEAD = LENGTH_SIZE + IV_SIZE + TAG_SIZE
"""Bytes an envelope adds to the plaintext, plus the encrypted DEK's length."""
CHUNK_SIZE = 1024 * 1024

_KEY_SIZES = (16, 32)


class EnvelopeError(UserError):
    """Not an envelope, truncated or tampered. Messages describe sizes and places, never the data."""


def new_dek():
    return os.urandom(DEK_SIZE)


def serialize_dek(key):
    """The Tink AesGcmKey protobuf of a raw AES key: field 3 (key_value), version 0 omitted as proto3 does."""
    if len(key) not in _KEY_SIZES:
        raise EnvelopeError('a data encryption key is 16 or 32 bytes, not %d' % len(key))
    return b'\x1a' + bytes([len(key)]) + bytes(key)


def parse_dek(blob):
    """The raw AES key of a serialized AesGcmKey: version must be 0, unknown fields are skipped."""
    key, offset = None, 0
    while offset < len(blob):
        tag, offset = _varint(blob, offset)
        field, wire_type = tag >> 3, tag & 7
        if wire_type == 0:
            value, offset = _varint(blob, offset)
            if field == 1 and value != 0:
                raise EnvelopeError('the data encryption key has version %d; only version 0 exists' % value)
        elif wire_type == 2:
            size, offset = _varint(blob, offset)
            if offset + size > len(blob):
                raise EnvelopeError('the data encryption key is truncated')
            if field == 3:
                key = bytes(blob[offset:offset + size])
            offset += size
        elif wire_type in (1, 5):
            offset += 8 if wire_type == 1 else 4
        else:
            raise EnvelopeError('the data encryption key is not a Tink AesGcmKey')
    if offset > len(blob) or key is None or len(key) not in _KEY_SIZES:
        raise EnvelopeError('the data encryption key is not a Tink AES-GCM key of 16 or 32 bytes')
    return key


def _varint(blob, offset):
    value = shift = 0
    while offset < len(blob) and shift < 64:
        byte = blob[offset]
        offset += 1
        value |= (byte & 0x7f) << shift
        if not byte & 0x80:
            return value, offset
        shift += 7
    raise EnvelopeError('the data encryption key is not a Tink AesGcmKey')


def header(encrypted_dek):
    if not 1 <= len(encrypted_dek) <= MAX_ENCRYPTED_DEK:
        raise EnvelopeError('an encrypted data key is 1 to %d bytes, not %d' % (MAX_ENCRYPTED_DEK, len(encrypted_dek)))
    return struct.pack('>I', len(encrypted_dek)) + bytes(encrypted_dek)


def pack(encrypted_dek, payload):
    return header(encrypted_dek) + bytes(payload)


def _dek_length(blob, total):
    """The encrypted DEK length the first 4 bytes announce, checked against the whole size."""
    if total < LENGTH_SIZE + 1:
        raise EnvelopeError('the ciphertext is %d bytes: too short to be an envelope' % total)
    length = struct.unpack('>I', bytes(blob[:LENGTH_SIZE]))[0]
    if not 1 <= length <= MAX_ENCRYPTED_DEK or length > total - LENGTH_SIZE - IV_SIZE - TAG_SIZE:
        raise EnvelopeError('the ciphertext is not an envelope, or is truncated: it announces a %d-byte encrypted '
                            'data key in %d bytes' % (length, total))
    return length


def unpack(blob):
    """(encrypted_dek, payload); EnvelopeError when the layout does not hold."""
    length = _dek_length(blob, len(blob))
    end = LENGTH_SIZE + length
    return bytes(blob[LENGTH_SIZE:end]), bytes(blob[end:])


def looks_like_envelope(blob):
    """True when the layout holds (a plausible DEK length, room for IV and tag). A Key Manager direct
    ciphertext starts with 0x01, so it never does; the caller may check the encrypted DEK's shape too."""
    try:
        _dek_length(blob, len(blob))
    except EnvelopeError:
        return False
    return True


def _aesgcm():
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    return AESGCM


def seal_payload(key, plaintext, aad=b''):
    iv = os.urandom(IV_SIZE)
    return iv + _aesgcm()(key).encrypt(iv, bytes(plaintext), bytes(aad or b''))


def open_payload(key, payload, aad=b''):
    from cryptography.exceptions import InvalidTag
    if len(payload) < IV_SIZE + TAG_SIZE:
        raise EnvelopeError('the envelope payload is %d bytes: truncated' % len(payload))
    try:
        return _aesgcm()(key).decrypt(bytes(payload[:IV_SIZE]), bytes(payload[IV_SIZE:]), bytes(aad or b''))
    except InvalidTag:
        raise EnvelopeError(_TAMPERED)


_TAMPERED = ('the envelope does not authenticate: wrong associated data, or the data was changed or truncated')


def read_header(stream):
    """The encrypted DEK at the start of a seekable binary stream; the stream is left at the payload."""
    start = stream.tell()
    total = stream.seek(0, os.SEEK_END) - start
    stream.seek(start)
    length = _dek_length(stream.read(LENGTH_SIZE), total)
    return stream.read(length)


def _cipher(key, iv, tag=None):
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    return Cipher(algorithms.AES(key), modes.GCM(iv, tag))


def seal_stream(key, source, sink, aad=b'', chunk_size=CHUNK_SIZE):
    """Write the payload of all of source to sink, in chunks; returns the bytes written."""
    iv = os.urandom(IV_SIZE)
    encryptor = _cipher(key, iv).encryptor()
    encryptor.authenticate_additional_data(bytes(aad or b''))
    sink.write(iv)
    written = IV_SIZE
    for chunk in iter(lambda: source.read(chunk_size), b''):
        sink.write(encryptor.update(chunk))
        written += len(chunk)
    sink.write(encryptor.finalize() + encryptor.tag)
    return written + TAG_SIZE


def open_stream(key, source, sink, aad=b'', chunk_size=CHUNK_SIZE):
    """Write the plaintext of the payload from source's position to its end; EnvelopeError unless the tag
    verifies (sink then holds unauthenticated bytes: discard it). Returns the plaintext size."""
    from cryptography.exceptions import InvalidTag
    start = source.tell()
    remaining = source.seek(0, os.SEEK_END) - start - IV_SIZE - TAG_SIZE
    source.seek(start)
    if remaining < 0:
        raise EnvelopeError('the envelope payload is %d bytes: truncated' % (remaining + IV_SIZE + TAG_SIZE))
    decryptor = _cipher(key, source.read(IV_SIZE)).decryptor()
    decryptor.authenticate_additional_data(bytes(aad or b''))
    size = remaining
    while remaining:
        chunk = source.read(min(chunk_size, remaining))
        if not chunk:
            raise EnvelopeError('the envelope payload is truncated: it ended while being read')
        remaining -= len(chunk)
        sink.write(decryptor.update(chunk))
    try:
        sink.write(decryptor.finalize_with_tag(source.read(TAG_SIZE)))
    except (InvalidTag, ValueError):
        raise EnvelopeError(_TAMPERED)
    return size
