# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Tink KMS envelope AEAD format, pinned by two vectors (ecosystem-notes 1.5), without the tink package."""

from __future__ import annotations

import io
import os
import struct

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ansible_collections.scwkms.key_manager.plugins.module_utils import _envelope
from ansible_collections.scwkms.key_manager.plugins.module_utils._envelope import EnvelopeError

# (b) A synthetic envelope with a Scaleway-shaped KEK ciphertext (0x01 || be32 rotation || iv || ct || tag),
# cross-checked with tink 1.16.1 when it was made.
KEK = bytes(range(0x00, 0x20))
KEK_IV = bytes(range(0xa0, 0xac))
DEK = bytes(range(0x40, 0x60))
PAYLOAD_IV = bytes(range(0xb0, 0xbc))
PLAINTEXT = b'hello envelope'
AD = b'row-42'
DEK_PROTO = bytes.fromhex('1a20404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f')
ENVELOPE = bytes.fromhex(
    '000000430100000001a0a1a2a3a4a5a6a7a8a9aaabfc383c6c078846fa2422cf9a4d318c933ee30941c0e41639ca597edf25f0295c8c2'
    '90f23467ef3649a6ff89af0a84afe855ab0b1b2b3b4b5b6b7b8b9babb6b65ece9ae6a8ef74d8b4b979d93a93b3305d173f3f768b9f67f'
    '7721a027')

# (a) tink-go's TestKMSEnvelopeDecryptTestVector: its fake KMS is one AES-128-GCM key with a TINK prefix.
TINK_KEK = bytes.fromhex('82bbe6de4bf9a7655305615af46e594c')
TINK_ENVELOPE = bytes.fromhex(
    '00000043013e77cdcd3ac4f38c7312f97a9b8c6e2b7b481ce3540006d24abb658938b52d6474c5fa569212c023e06229c0335f41424'
    '4a32748778baed5e24a55b12b82920d1f06f17ef8a86eee808d2c9d2026fb45371cf60696eb77790524642c5f067a529793c251b068f8')
TINK_DEK_PROTO = bytes.fromhex('1a20f6ae550cd30408583962c8293ea5838772ea6af56c65dbfb9d292c6f669fe8f7')


def fake_kek_open(kek, encrypted_dek):
    """What the KMS does: strip the 5-byte header, open iv || ct || tag with empty associated data."""
    return AESGCM(kek).decrypt(encrypted_dek[5:17], encrypted_dek[17:], b'')


def test_scaleway_shaped_vector_opens():
    encrypted_dek, payload = _envelope.unpack(ENVELOPE)
    assert len(encrypted_dek) == 67 and encrypted_dek[:5] == b'\x01\x00\x00\x00\x01'
    assert fake_kek_open(KEK, encrypted_dek) == DEK_PROTO
    assert _envelope.parse_dek(DEK_PROTO) == DEK
    assert _envelope.open_payload(DEK, payload, AD) == PLAINTEXT
    assert len(ENVELOPE) - len(PLAINTEXT) == 99 == _envelope.OVERHEAD + 67


def test_scaleway_shaped_vector_is_reproduced_byte_for_byte(monkeypatch):
    assert _envelope.serialize_dek(DEK) == DEK_PROTO
    encrypted_dek = b'\x01' + struct.pack('>I', 1) + KEK_IV + AESGCM(KEK).encrypt(KEK_IV, DEK_PROTO, b'')
    monkeypatch.setattr(_envelope.os, 'urandom', lambda size: PAYLOAD_IV if size == 12 else os.urandom(size))
    assert _envelope.pack(encrypted_dek, _envelope.seal_payload(DEK, PLAINTEXT, AD)) == ENVELOPE
    sink = io.BytesIO(_envelope.header(encrypted_dek))
    sink.seek(0, io.SEEK_END)
    _envelope.seal_stream(DEK, io.BytesIO(PLAINTEXT), sink, AD, chunk_size=3)
    assert sink.getvalue() == ENVELOPE


def test_official_tink_vector_payload_and_dek():
    encrypted_dek, payload = _envelope.unpack(TINK_ENVELOPE)
    assert (len(encrypted_dek), len(payload)) == (67, 37)
    dek_proto = fake_kek_open(TINK_KEK, encrypted_dek)
    assert dek_proto == TINK_DEK_PROTO
    key = _envelope.parse_dek(dek_proto)
    assert _envelope.open_payload(key, payload, b'associatedData') == b'plaintext'
    with pytest.raises(EnvelopeError, match='wrong associated data'):
        _envelope.open_payload(key, payload, b'')
    assert _envelope.looks_like_envelope(TINK_ENVELOPE)


@pytest.mark.parametrize('blob, key', [
    (b'\x1a\x10' + bytes(16), bytes(16)),                                 # AES-128-GCM
    (b'\x08\x00\x1a\x20' + DEK, DEK),                                     # explicit version 0
    (b'\x1a\x20' + DEK + b'\x20\x05', DEK),                               # unknown varint field after
    (b'\x12\x03abc\x1a\x20' + DEK + b'\x2d\x01\x02\x03\x04', DEK),        # unknown bytes and fixed32 fields
    (b'\x31' + bytes(8) + b'\x1a\x20' + DEK, DEK),                        # unknown fixed64 field
])
def test_parse_dek_accepts_what_tink_writes(blob, key):
    assert _envelope.parse_dek(blob) == key


@pytest.mark.parametrize('blob, message', [
    (b'\x08\x01\x1a\x20' + DEK, 'version 1'),
    (b'\x1a\x18' + bytes(24), '16 or 32 bytes'),
    (b'\x1a\x20' + DEK[:10], 'truncated'),
    (b'', 'not a Tink AES-GCM key'),
    (b'\x1b', 'not a Tink AesGcmKey'),
    (b'\x08\xff', 'not a Tink AesGcmKey'),
    (DEK, 'not a Tink|truncated'),
])
def test_parse_dek_refuses_anything_else(blob, message):
    with pytest.raises(EnvelopeError, match=message):
        _envelope.parse_dek(blob)


@pytest.mark.parametrize('blob', [
    b'', b'\x00\x00\x00', b'\x00\x00\x00\x00' + bytes(40), b'\x00\x00\x10\x01' + bytes(5000),
    ENVELOPE[:4 + 67 + 27], b'\x01\x00\x00\x00\x01' + bytes(60),
])
def test_unpack_refuses_what_is_not_an_envelope(blob):
    assert not _envelope.looks_like_envelope(blob)
    with pytest.raises(EnvelopeError, match='envelope'):
        _envelope.unpack(blob)


def test_an_empty_plaintext_seals_and_the_size_is_exact():
    payload = _envelope.seal_payload(DEK, b'', b'')
    assert len(payload) == 28 and _envelope.open_payload(DEK, payload) == b''
    assert len(_envelope.pack(b'\x01' * 67, payload)) == 99


@pytest.mark.parametrize('position', [0, 13, 40, -1])
def test_tampering_anywhere_in_the_payload_is_refused(position):
    payload = bytearray(_envelope.unpack(ENVELOPE)[1])
    payload[position] ^= 0x80
    with pytest.raises(EnvelopeError) as error:
        _envelope.open_payload(DEK, bytes(payload), AD)
    assert 'hello' not in str(error.value)


def test_header_limits():
    with pytest.raises(EnvelopeError, match='1 to 4096 bytes, not 0'):
        _envelope.header(b'')
    with pytest.raises(EnvelopeError, match='not 4097'):
        _envelope.header(bytes(4097))
    assert _envelope.header(bytes(4096))[:4] == b'\x00\x00\x10\x00'


@pytest.mark.parametrize('size', [0, 1, 5, 1024 * 1024, 1024 * 1024 + 7])
def test_streams_round_trip_and_match_the_whole_value_functions(size):
    plaintext = os.urandom(size)
    sealed = io.BytesIO()
    written = _envelope.seal_stream(DEK, io.BytesIO(plaintext), sealed, AD, chunk_size=4096)
    assert written == len(sealed.getvalue()) == size + 28
    assert _envelope.open_payload(DEK, sealed.getvalue(), AD) == plaintext
    source = io.BytesIO(_envelope.header(b'\x01' * 67) + sealed.getvalue())
    assert _envelope.read_header(source) == b'\x01' * 67
    opened = io.BytesIO()
    assert _envelope.open_stream(DEK, source, opened, AD, chunk_size=4096) == size
    assert opened.getvalue() == plaintext


def test_open_stream_refuses_a_tampered_or_truncated_payload():
    sealed = bytearray(_envelope.unpack(ENVELOPE)[1])
    sealed[-3] ^= 1
    with pytest.raises(EnvelopeError, match='does not authenticate'):
        _envelope.open_stream(DEK, io.BytesIO(bytes(sealed)), io.BytesIO(), AD)
    with pytest.raises(EnvelopeError, match='truncated'):
        _envelope.open_stream(DEK, io.BytesIO(bytes(20)), io.BytesIO(), AD)
    with pytest.raises(EnvelopeError, match='does not authenticate'):
        _envelope.open_stream(DEK, io.BytesIO(_envelope.unpack(ENVELOPE)[1]), io.BytesIO(), b'row-43')


def test_read_header_refuses_a_truncated_file():
    with pytest.raises(EnvelopeError, match='announces a 67-byte encrypted data key in 50 bytes'):
        _envelope.read_header(io.BytesIO(ENVELOPE[:50]))


def test_new_dek_is_random_and_32_bytes():
    assert len(_envelope.new_dek()) == 32 and _envelope.new_dek() != _envelope.new_dek()
