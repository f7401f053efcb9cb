# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The envelope format pinned by fixed vectors (vectors/tink_envelope.json), with or without tink.

The KEK of a vector is a plain AES-GCM key whose ciphertexts are prefix || iv || ct || tag: with the prefix
01 || be32(rotation) that is a Key Manager symmetric ciphertext, so a stand-in client (VectorKms) answers the
collection's /encrypt and /decrypt calls exactly as the service would, with no HTTP. Where tink is installed,
Tink itself decrypts every vector through the same KEK, so the file cannot drift from Tink's format."""

from __future__ import annotations

import json
import os
import struct
import types

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ansible_collections.scwkms.key_manager.plugins.module_utils import _envelope, _sealing
from ansible_collections.scwkms.key_manager.plugins.module_utils._target import Target

with open(os.path.join(os.path.dirname(__file__), 'vectors', 'tink_envelope.json')) as _handle:
    VECTORS = [types.SimpleNamespace(name=vector['name'], written=vector['written'], kek=vector['kek'],
                                     **dict((field, bytes.fromhex(value)) for field, value in vector.items()
                                            if field not in ('name', 'note', 'written', 'kek')))
               for vector in json.load(_handle)['vectors']]
WRITTEN = [vector for vector in VECTORS if vector.written]
KEY_ID = '6b1d0a3c-5a43-4c41-9d3e-1f6a4c2b8e70'


def ids(vectors):
    return [vector.name for vector in vectors]


class VectorKms:
    """A stand-in for KeyManagerClient holding one vector's KEK; the KEK call's associated data must be empty."""

    def __init__(self, vector):
        self.kek = AESGCM(bytes.fromhex(vector.kek['key']))
        self.prefix = bytes.fromhex(vector.kek['prefix'])
        self.iv = bytes.fromhex(vector.kek['iv'])
        self.calls = []

    def add_secret(self, value):
        pass

    def encrypt(self, key_id, plaintext, associated_data=None, region=None):
        self.calls.append(('encrypt', key_id, region, associated_data))
        return self.prefix + self.iv + self.kek.encrypt(self.iv, plaintext, associated_data or None)

    def decrypt(self, key_id, ciphertext, associated_data=None, region=None):
        self.calls.append(('decrypt', key_id, region, associated_data))
        start = len(self.prefix)
        if ciphertext[:start] != self.prefix:
            raise ValueError('not a ciphertext of this KEK')
        return self.kek.decrypt(ciphertext[start:start + 12], ciphertext[start + 12:], associated_data or None), None

    def get_key(self, key_id, region=None):
        raise AssertionError('the vectors never need the key read')


def target():
    return Target(KEY_ID, 'fr-par', None, KEY_ID)


@pytest.mark.parametrize('vector', VECTORS, ids=ids(VECTORS))
def test_the_vector_file_says_what_it_holds(vector):
    """Each envelope rebuilt from its parts with nothing but AES-GCM: the file is self-consistent."""
    kek = VectorKms(vector)
    assert vector.encrypted_dek == kek.encrypt(KEY_ID, vector.dek_proto)
    payload = vector.iv + AESGCM(vector.dek).encrypt(vector.iv, vector.plaintext, vector.associated_data or None)
    assert vector.envelope == struct.pack('>I', len(vector.encrypted_dek)) + vector.encrypted_dek + payload


@pytest.mark.parametrize('vector', VECTORS, ids=ids(VECTORS))
def test_the_collection_reads_every_vector(vector):
    encrypted_dek, payload = _envelope.unpack(vector.envelope)
    assert encrypted_dek == vector.encrypted_dek
    assert _envelope.parse_dek(vector.dek_proto) == vector.dek
    assert _envelope.open_payload(vector.dek, payload, vector.associated_data) == vector.plaintext
    kms = VectorKms(vector)
    opened = _sealing.unseal(kms, target(), vector.envelope, vector.associated_data)
    assert (opened.plaintext, opened.form, opened.rewrapped) == (vector.plaintext, 'envelope', None)
    assert kms.calls == [('decrypt', KEY_ID, 'fr-par', None)]


def fixed_randomness(monkeypatch, *values):
    """os.urandom in _envelope hands out the given bytes in turn: the DEK, then the payload IV."""
    queue = list(values)

    def urandom(size):
        value = queue.pop(0)
        assert len(value) == size
        return value
    monkeypatch.setattr(_envelope, 'os', types.SimpleNamespace(urandom=urandom, SEEK_END=os.SEEK_END))


@pytest.mark.parametrize('vector', WRITTEN, ids=ids(WRITTEN))
def test_the_collection_writes_the_vectors_byte_for_byte(vector, monkeypatch):
    assert _envelope.serialize_dek(vector.dek) == vector.dek_proto
    assert _envelope.pack(vector.encrypted_dek, vector.envelope[4 + len(vector.encrypted_dek):]) == vector.envelope
    fixed_randomness(monkeypatch, vector.dek, vector.iv)
    kms = VectorKms(vector)
    sealed = _sealing.seal(kms, target(), vector.plaintext, vector.associated_data, envelope='always',
                           algorithm='aes_256_gcm')
    assert (sealed.ciphertext, sealed.form) == (vector.envelope, 'envelope')
    assert kms.calls == [('encrypt', KEY_ID, 'fr-par', None)]


@pytest.mark.parametrize('vector', WRITTEN, ids=ids(WRITTEN))
def test_the_streaming_writer_matches_too(vector, monkeypatch, tmp_path):
    source, sink = tmp_path / 'plain', tmp_path / 'sealed'
    source.write_bytes(vector.plaintext)
    fixed_randomness(monkeypatch, vector.iv)
    with open(source, 'rb') as reader, open(sink, 'wb') as writer:
        writer.write(_envelope.header(vector.encrypted_dek))
        _envelope.seal_stream(vector.dek, reader, writer, vector.associated_data, chunk_size=5)
    assert sink.read_bytes() == vector.envelope
    with open(sink, 'rb') as reader:
        assert _envelope.read_header(reader) == vector.encrypted_dek
        opened = tmp_path / 'opened'
        with open(opened, 'wb') as writer:
            _envelope.open_stream(vector.dek, reader, writer, vector.associated_data, chunk_size=5)
    assert opened.read_bytes() == vector.plaintext


def flip(blob, at):
    return blob[:at] + bytes([blob[at] ^ 1]) + blob[at + 1:]


def test_a_damaged_vector_is_refused_clearly():
    """Bit flips and cuts fail authentication; a broken layout fails before any key is used."""
    vector = WRITTEN[0]
    envelope, dek_end = vector.envelope, 4 + len(vector.encrypted_dek)
    for blob in (flip(envelope, len(envelope) - 20), flip(envelope, len(envelope) - 1), envelope[:-1],
                 envelope[:dek_end] + envelope[dek_end + 1:]):
        with pytest.raises(_envelope.EnvelopeError, match='does not authenticate') as raised:
            _envelope.open_payload(vector.dek, _envelope.unpack(blob)[1], vector.associated_data)
        assert vector.plaintext.decode() not in str(raised.value)
    for blob in (envelope[:dek_end + 27], envelope[:4], b'', struct.pack('>I', 4097) + envelope[4:],
                 struct.pack('>I', 0) + envelope[4:], struct.pack('>I', len(envelope)) + envelope[4:]):
        assert not _envelope.looks_like_envelope(blob)
        with pytest.raises(_envelope.EnvelopeError, match='envelope|too short'):
            _envelope.unpack(blob)
    with pytest.raises(_envelope.EnvelopeError, match='does not authenticate'):
        _envelope.open_payload(vector.dek, _envelope.unpack(envelope)[1], vector.associated_data + b'!')


# -- tink, where it is installed -------------------------------------------------------------------------

@pytest.mark.parametrize('vector', VECTORS, ids=ids(VECTORS))
def test_tink_decrypts_every_vector(vector):
    tink = pytest.importorskip('tink')
    from tink import aead  # pylint: disable=import-outside-toplevel
    aead.register()
    template = (aead.aead_key_templates.AES128_GCM if len(vector.dek) == 16 else aead.aead_key_templates.AES256_GCM)

    class Kek(aead.Aead):
        def encrypt(self, plaintext, associated_data):
            raise tink.TinkError('decrypt only')

        def decrypt(self, ciphertext, associated_data):
            return VectorKms(vector).decrypt(KEY_ID, ciphertext, associated_data)[0]

    envelope = aead.KmsEnvelopeAead(template, Kek())
    assert envelope.decrypt(vector.envelope, vector.associated_data) == vector.plaintext
    with pytest.raises(tink.TinkError):
        envelope.decrypt(vector.envelope[:-1], vector.associated_data)
