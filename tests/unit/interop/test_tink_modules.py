# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The modules' own file path (streamed in chunks, not _sealing.seal) against Tink: a file scwkms_encrypt
writes is an envelope Tink opens, and a file Tink writes is one scwkms_decrypt opens."""

from __future__ import annotations

import base64
import os

import pytest

pytest.importorskip('tink')
pytest.importorskip('scaleway')

# pylint: disable=wrong-import-position
from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_decrypt, scwkms_encrypt
from ansible_collections.scwkms.key_manager.tests.unit.interop import tink_kms
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import api_calls, create_key, task

# Three chunks and a bit of the modules' 1 MiB: the chunk boundaries must not show in the format.
DATA = os.urandom(3 * 1024 * 1024 + 5)


@pytest.fixture
def key(km_emulator):
    key_id = create_key(km_emulator, 'aes_256_gcm', name='interop-files')['id']
    uri = tink_kms.go_prefix() + key_id
    return uri, tink_kms.envelope_aead(tink_kms.ScwKmsClient(tink_kms.sdk_api(km_emulator), tink_kms.go_prefix()), uri)


def test_tink_opens_a_file_scwkms_encrypt_wrote(km_emulator, key, tmp_path):
    uri, tink_envelope = key
    (tmp_path / 'data').write_bytes(DATA)
    km_emulator.clear_requests()
    result, failed = task(scwkms_encrypt, km_emulator, key=uri, algorithm='aes_256_gcm', path=str(tmp_path / 'data'),
                          dest=str(tmp_path / 'data.enc'), associated_data='file:data')
    assert not failed, result
    assert result['form'] == 'envelope' and api_calls(km_emulator) == {'POST /keys/{key_id}/encrypt': 1}
    assert result['tink_uri'] == uri
    assert tink_envelope.decrypt((tmp_path / 'data.enc').read_bytes(), b'file:data') == DATA


def test_scwkms_decrypt_opens_a_file_tink_wrote(km_emulator, key, tmp_path):
    uri, tink_envelope = key
    (tmp_path / 'data.enc').write_bytes(tink_envelope.encrypt(DATA, b'file:data'))
    km_emulator.clear_requests()
    result, failed = task(scwkms_decrypt, km_emulator, key=uri, path=str(tmp_path / 'data.enc'),
                          dest=str(tmp_path / 'data'), associated_data='file:data')
    assert not failed, result
    assert result['form'] == 'envelope' and api_calls(km_emulator) == {'POST /keys/{key_id}/decrypt': 1}
    assert (tmp_path / 'data').read_bytes() == DATA


def test_a_base64_envelope_from_tink_decrypts_in_the_result(km_emulator, key):
    """The text form: a Tink envelope in base64, as scwkms_encrypt returns its ciphertext."""
    uri, tink_envelope = key
    ciphertext = base64.b64encode(tink_envelope.encrypt(b'a secret from a Tink program', b'')).decode()
    result, failed = task(scwkms_decrypt, km_emulator, key=tink_kms.SCHEME + uri.rsplit('/', 1)[1],
                          ciphertext=ciphertext, return_plaintext=True)
    assert not failed, result
    assert (result['form'], result['plaintext']) == ('envelope', 'a secret from a Tink program')
