# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tink and the collection read each other's envelopes, on one emulator key: Tink's KmsEnvelopeAead (DEK
template AES256_GCM, through the KmsClient of tink_kms.py, both key URI forms) and _sealing.seal/unseal."""

from __future__ import annotations

import os

import pytest

tink = pytest.importorskip('tink')
pytest.importorskip('scaleway')

# pylint: disable=wrong-import-position
from ansible_collections.scwkms.key_manager.plugins.module_utils import _sealing, _target
from ansible_collections.scwkms.key_manager.tests.unit.interop import tink_kms
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import (
    ENCRYPT, DECRYPT, api_calls, client_for, create_key, emulator_settings)

# Empty and above the service's 65535-byte limit (sizes only an envelope takes), and a short text.
PLAINTEXTS = {'empty': b'', 'text': b'hello envelope', '64KiB+1': os.urandom(64 * 1024 + 1)}
ASSOCIATED_DATA = {'no-ad': b'', 'ad': b'row-42'}
CASES = [(pt, ad) for pt in PLAINTEXTS for ad in ASSOCIATED_DATA]


class Side:
    """One key seen from both sides: the collection's client and target, and Tink's envelope AEAD."""

    def __init__(self, emulator, key_id, form):
        self.prefix = tink_kms.SCHEME if form == 'python' else tink_kms.go_prefix()
        self.uri = self.prefix + key_id
        self.kms = tink_kms.ScwKmsClient(tink_kms.sdk_api(emulator), self.prefix)
        self.tink = tink_kms.envelope_aead(self.kms, self.uri)
        self.client = client_for(emulator)
        # The very URI Tink uses is the collection's key reference too.
        self.target = _target.locate(self.client, emulator_settings(emulator), self.uri)
        assert self.target.key_id == key_id


@pytest.fixture(params=['python', 'go'])
def side(request, km_emulator):
    return Side(km_emulator, create_key(km_emulator, 'aes_256_gcm', name='interop')['id'], request.param)


@pytest.mark.parametrize('plaintext, associated_data', CASES)
def test_the_collection_opens_tink_envelopes(side, km_emulator, plaintext, associated_data):
    envelope = side.tink.encrypt(PLAINTEXTS[plaintext], ASSOCIATED_DATA[associated_data])
    km_emulator.clear_requests()
    opened = _sealing.unseal(side.client, side.target, envelope, ASSOCIATED_DATA[associated_data])
    assert (opened.plaintext, opened.form, opened.rewrapped) == (PLAINTEXTS[plaintext], 'envelope', None)
    assert api_calls(km_emulator) == {DECRYPT: 1}


@pytest.mark.parametrize('plaintext, associated_data', CASES)
def test_tink_opens_the_collection_envelopes(side, km_emulator, plaintext, associated_data):
    km_emulator.clear_requests()
    sealed = _sealing.seal(side.client, side.target, PLAINTEXTS[plaintext], ASSOCIATED_DATA[associated_data],
                           envelope='always', algorithm='aes_256_gcm')
    assert api_calls(km_emulator) == {ENCRYPT: 1}
    assert sealed.form == 'envelope' and len(sealed.ciphertext) == len(PLAINTEXTS[plaintext]) + 99
    assert side.tink.decrypt(sealed.ciphertext, ASSOCIATED_DATA[associated_data]) == PLAINTEXTS[plaintext]


def test_auto_seals_large_data_as_an_envelope_tink_opens(side):
    sealed = _sealing.seal(side.client, side.target, PLAINTEXTS['64KiB+1'], b'ad', algorithm='aes_256_gcm')
    assert sealed.form == 'envelope'
    assert side.tink.decrypt(sealed.ciphertext, b'ad') == PLAINTEXTS['64KiB+1']


def flip(blob, at):
    return blob[:at] + bytes([blob[at] ^ 1]) + blob[at + 1:]


def broken(envelope):
    """A flipped payload bit, a flipped bit of the encrypted DEK, the tag cut off, the envelope cut short."""
    return [flip(envelope, len(envelope) - 17), flip(envelope, 40), envelope[:-16], envelope[:60]]


def test_a_tampered_or_truncated_tink_envelope_fails_in_the_collection(side):
    envelope = side.tink.encrypt(b'hello envelope', b'ad')
    for blob in broken(envelope) + [envelope]:
        associated_data = b'other' if blob is envelope else b'ad'
        with pytest.raises(_sealing.SealingError) as raised:
            _sealing.unseal(side.client, side.target, blob, associated_data)
        assert 'hello' not in str(raised.value)


def test_a_tampered_or_truncated_collection_envelope_fails_in_tink(side):
    envelope = _sealing.seal(side.client, side.target, b'hello envelope', b'ad', envelope='always',
                             algorithm='aes_256_gcm').ciphertext
    for blob in broken(envelope) + [envelope]:
        with pytest.raises(tink.TinkError):
            side.tink.decrypt(blob, b'other' if blob is envelope else b'ad')


def test_a_rewrapped_tink_envelope_still_opens_in_tink(side, km_emulator):
    """After a rotation the collection hands back the envelope with its DEK under the newest rotation."""
    envelope = side.tink.encrypt(b'before the rotation', b'ad')
    side.client.rotate_key(side.target.key_id)
    opened = _sealing.unseal(side.client, side.target, envelope, b'ad')
    assert opened.plaintext == b'before the rotation'
    assert opened.rewrapped[:9] == b'\0\0\0\x43\x01\0\0\0\x02' and opened.rewrapped[71:] == envelope[71:]
    assert side.tink.decrypt(opened.rewrapped, b'ad') == b'before the rotation'
    km_emulator.clear_requests()
    assert _sealing.unseal(side.client, side.target, opened.rewrapped, b'ad').rewrapped is None
    assert api_calls(km_emulator) == {DECRYPT: 1}


@pytest.mark.parametrize('algorithm', ['rsa_oaep_2048_sha256', 'rsa_oaep_3072_sha256', 'rsa_oaep_4096_sha256'])
def test_rsa_oaep_keks_work_both_ways(km_emulator, algorithm):
    """An RSA-OAEP KEK: the collection wraps the DEK locally with the public key, Tink through /encrypt (the
    service's own RSA-OAEP); each side's envelope opens on the other with one /decrypt. [INF] The real service
    is assumed to take Tink's empty associated_data on an asymmetric key, as the emulator does."""
    side = Side(km_emulator, create_key(km_emulator, algorithm, name='interop-rsa')['id'], 'python')
    data = PLAINTEXTS['64KiB+1']
    km_emulator.clear_requests()
    sealed = _sealing.seal(side.client, side.target, data, b'ad', algorithm=algorithm)
    assert sealed.form == 'envelope' and api_calls(km_emulator) == {'GET /keys/{key_id}/public-key': 1}
    assert side.tink.decrypt(sealed.ciphertext, b'ad') == data
    envelope = side.tink.encrypt(data, b'ad')
    km_emulator.clear_requests()
    assert _sealing.unseal(side.client, side.target, envelope, b'ad').plaintext == data
    assert api_calls(km_emulator) == {DECRYPT: 1}


def test_other_dek_templates(side):
    """The DEK type is not in the envelope: the collection reads AES-GCM DEKs of either size (Tink's AES128_GCM
    too) and refuses, with a clear error, a DEK of another type that happens to have the same shape."""
    remote = side.kms.get_aead(side.uri)
    aes128 = tink.aead.KmsEnvelopeAead(tink.aead.aead_key_templates.AES128_GCM, remote).encrypt(b'short key', b'ad')
    assert _sealing.unseal(side.client, side.target, aes128, b'ad').plaintext == b'short key'
    xchacha = tink.aead.KmsEnvelopeAead(tink.aead.aead_key_templates.XCHACHA20_POLY1305, remote)
    with pytest.raises(_sealing.SealingError, match='does not authenticate'):
        _sealing.unseal(side.client, side.target, xchacha.encrypt(b'other cipher', b'ad'), b'ad')
