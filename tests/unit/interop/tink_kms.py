# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A Tink ``KmsClient`` for Scaleway Key Manager, on the official Python SDK, as Scaleway's Tink extensions
build theirs; the interoperability tests point it at the emulator. Import it only after
``pytest.importorskip('tink')``.

Key URIs, as the two extensions read them (docs: /work/shared/reference/ecosystem-notes.md section 1.6):

* Python (``scaleway-tink``): ``scw-kms://<key id>``; the key id is the URI less ``scw-kms://``.
* Go (``tink-go-scwkms``): a client made for the prefix ``scw-kms://regions/<region>/keys/``; the key id is
  the URI less that prefix, and the request goes to the SDK client's default region (the Go extension never
  reads the region out of the URI, so a URI naming another region silently uses the default one).

Both send the KEK calls with ``associated_data`` ``""``: Tink's envelope passes ``b''`` for the DEK, and the
extensions base64-encode whatever they are given.
"""

from __future__ import annotations

import base64

import tink
from tink import aead
from scaleway import Client
from scaleway.key_manager.v1alpha1 import KeyManagerV1Alpha1API
from scaleway_core.api import ScalewayException

from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import PROJECT, SECRET

SCHEME = 'scw-kms://'
# The DEK template of every Scaleway example, and the only one the collection writes.
DEK_TEMPLATE = aead.aead_key_templates.AES256_GCM

aead.register()  # Tink builds the DEK's primitive through its registry.


def go_prefix(region='fr-par'):
    return '%sregions/%s/keys/' % (SCHEME, region)


class ScwKmsAead(aead.Aead):
    """The remote AEAD: one Key Manager call per operation, SDK errors as ``tink.TinkError``."""

    def __init__(self, api, key_id):
        self.api = api
        self.key_id = key_id

    def encrypt(self, plaintext, associated_data):
        return base64.b64decode(self._call('encrypt', plaintext=plaintext, associated_data=associated_data).ciphertext)

    def decrypt(self, ciphertext, associated_data):
        # The service's re-encrypted ciphertext (after a rotation) is ignored, as both extensions do.
        return base64.b64decode(self._call('decrypt', ciphertext=ciphertext, associated_data=associated_data).plaintext)

    def _call(self, operation, **fields):
        try:
            return getattr(self.api, operation)(key_id=self.key_id, **dict(
                (name, _b64(value)) for name, value in fields.items()))
        except ScalewayException as error:
            raise tink.TinkError(error) from error


class ScwKmsClient(tink.KmsClient):
    """Serves the key URIs under ``prefix``: ``scw-kms://`` (Python form) or ``go_prefix()`` (Go form)."""

    def __init__(self, api, prefix=SCHEME):
        if not prefix.lower().startswith(SCHEME):
            raise tink.TinkError('a Scaleway key URI prefix starts with %s' % SCHEME)
        self.api = api
        self.prefix = prefix

    def does_support(self, key_uri):
        return key_uri.lower().startswith(self.prefix.lower())

    def get_aead(self, key_uri):
        if not self.does_support(key_uri):
            raise tink.TinkError('key URI %s is not under %s' % (key_uri, self.prefix))
        return ScwKmsAead(self.api, key_uri[len(self.prefix):])


def sdk_api(emulator, region='fr-par'):
    """The SDK's Key Manager API on the emulator, with the unit tests' identities."""
    client = Client(access_key='SCW' + 'A1B2C3D4E5F6G7H8J', secret_key=SECRET, default_project_id=PROJECT,
                    default_region=region, api_url=emulator.url)
    return KeyManagerV1Alpha1API(client)


def envelope_aead(kms_client, key_uri):
    """Tink's KMS envelope AEAD for the key, with an AES256_GCM DEK."""
    return aead.KmsEnvelopeAead(DEK_TEMPLATE, kms_client.get_aead(key_uri))


def _b64(data):
    return base64.b64encode(data).decode('ascii')
