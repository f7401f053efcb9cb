# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Tink KmsClient of tink_kms.py on the emulator: what the interoperability tests stand on. Tink's own
envelope through it, both key URI forms, one KEK request per envelope operation, and a KEK ciphertext of
the service's shape (so the envelope overhead is Scaleway's 99 bytes)."""

from __future__ import annotations

import struct

import pytest

tink = pytest.importorskip('tink')
pytest.importorskip('scaleway')

# pylint: disable=wrong-import-position
from ansible_collections.scwkms.key_manager.tests.unit.interop import tink_kms
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import ENCRYPT, DECRYPT, api_calls, create_key


@pytest.fixture
def key_id(km_emulator):
    return create_key(km_emulator, 'aes_256_gcm', name='tink-kek')['id']


@pytest.fixture
def sdk(km_emulator):
    return tink_kms.sdk_api(km_emulator)


def forms(key_id):
    """(client prefix, key URI) for the Python and the Go extensions' URI forms."""
    return [(tink_kms.SCHEME, tink_kms.SCHEME + key_id), (tink_kms.go_prefix(), tink_kms.go_prefix() + key_id)]


def test_both_uri_forms_round_trip_with_one_request_per_operation(km_emulator, sdk, key_id):
    for prefix, uri in forms(key_id):
        envelope = tink_kms.envelope_aead(tink_kms.ScwKmsClient(sdk, prefix), uri)
        km_emulator.clear_requests()
        ciphertext = envelope.encrypt(b'hello envelope', b'row-42')
        assert api_calls(km_emulator) == {ENCRYPT: 1}
        assert envelope.decrypt(ciphertext, b'row-42') == b'hello envelope'
        assert api_calls(km_emulator) == {ENCRYPT: 1, DECRYPT: 1}
        assert [request['path'].rsplit('/', 2)[1] for request in km_emulator.requests()] == [key_id, key_id]


def test_the_kek_ciphertext_has_the_service_shape(sdk, key_id):
    """be32(67) || 0x01 be32(rotation 1) iv12 DEK34 tag16 || iv12 ct tag16: Scaleway's 99 bytes of overhead."""
    envelope = tink_kms.envelope_aead(tink_kms.ScwKmsClient(sdk), tink_kms.SCHEME + key_id)
    ciphertext = envelope.encrypt(b'x' * 1000, b'')
    assert ciphertext[:9] == struct.pack('>IBI', 67, 1, 1)
    assert len(ciphertext) == 1000 + 99


def test_the_go_form_needs_a_go_client(sdk, key_id):
    """The Python extension reads a Go-form URI's whole tail as the key id: the service answers 404."""
    uri = tink_kms.go_prefix() + key_id
    assert tink_kms.ScwKmsClient(sdk).does_support(uri)
    with pytest.raises(tink.TinkError, match='404|not found|not_found'):
        tink_kms.envelope_aead(tink_kms.ScwKmsClient(sdk), uri).encrypt(b'data', b'')
    assert not tink_kms.ScwKmsClient(sdk, tink_kms.go_prefix('nl-ams')).does_support(uri)
    with pytest.raises(tink.TinkError):
        tink_kms.ScwKmsClient(sdk, 'gcp-kms://')


def test_registered_client_serves_a_kms_envelope_keyset(sdk, key_id):
    """The keyset route Tink programs take: a KMS envelope key template resolved through the registered client."""
    uri = tink_kms.go_prefix() + key_id
    tink.register_kms_client(tink_kms.ScwKmsClient(sdk, tink_kms.go_prefix()))
    try:
        template = tink.aead.aead_key_templates.create_kms_envelope_aead_key_template(uri, tink_kms.DEK_TEMPLATE)
        primitive = tink.new_keyset_handle(template).primitive(tink.aead.Aead)
        ciphertext = primitive.encrypt(b'keyset route', b'ad')
    finally:
        # Tink keeps registered clients for the process; other tests must not find this one.
        from tink._kms_clients import reset_kms_clients  # pylint: disable=import-outside-toplevel
        reset_kms_clients()
    # RAW output prefix: the keyset adds nothing, the ciphertext is the bare envelope.
    assert struct.unpack('>I', ciphertext[:4])[0] == 67
    assert tink_kms.envelope_aead(tink_kms.ScwKmsClient(sdk), tink_kms.SCHEME + key_id).decrypt(
        ciphertext, b'ad') == b'keyset route'


class Recording:
    """The SDK API, noting the arguments of each encrypt and decrypt call."""

    def __init__(self, api):
        self.api = api
        self.calls = []

    def encrypt(self, **arguments):
        self.calls.append(('encrypt', arguments['associated_data']))
        return self.api.encrypt(**arguments)

    def decrypt(self, **arguments):
        self.calls.append(('decrypt', arguments['associated_data']))
        return self.api.decrypt(**arguments)


def test_the_kek_calls_send_empty_associated_data(sdk, key_id):
    """Tink hands its KEK b'' and the extensions send it as "": the user's associated data stays local."""
    recording = Recording(sdk)
    envelope = tink_kms.envelope_aead(tink_kms.ScwKmsClient(recording), tink_kms.SCHEME + key_id)
    envelope.decrypt(envelope.encrypt(b'payload', b'user associated data'), b'user associated data')
    assert recording.calls == [('encrypt', ''), ('decrypt', '')]
