# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Files go through scwkms_encrypt and scwkms_decrypt in chunks: the memory a run allocates does not grow with the
file (issue 9: a 64 MiB file must stay well under 3x its size; here a small multiple of the 1 MiB chunk)."""

from __future__ import annotations

import hashlib
import os
import tracemalloc

import pytest

from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_decrypt, scwkms_encrypt
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import api_calls, create_key, task

pytest.importorskip('scwkms_emulator')

SIZE = 24 * 1024 * 1024


def peak_of(module, emulator, **args):
    tracemalloc.start()
    try:
        result, failed = task(module, emulator, **args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not failed, result
    return result, peak


def digest(path):
    sha = hashlib.sha256()
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b''):
            sha.update(chunk)
    return sha.hexdigest()


def test_a_large_file_streams_both_ways(km_emulator, tmp_path):
    key = create_key(km_emulator, 'aes_256_gcm', 'stream')
    km_emulator.clear_requests()
    plain = tmp_path / 'plain'
    with open(plain, 'wb') as handle:
        for _chunk in range(SIZE // (1 << 20)):
            handle.write(os.urandom(1 << 20))
    result, peak = peak_of(scwkms_encrypt, km_emulator, key=key['id'], algorithm='aes_256_gcm', path=str(plain),
                           dest=str(tmp_path / 'sealed'))
    assert (result['form'], result['size']) == ('envelope', SIZE + 99)
    assert peak < SIZE // 4, peak
    result, peak = peak_of(scwkms_decrypt, km_emulator, key=key['id'], path=str(tmp_path / 'sealed'),
                           dest=str(tmp_path / 'opened'))
    assert result['form'] == 'envelope'
    assert peak < SIZE // 4, peak
    assert digest(tmp_path / 'opened') == digest(plain)
    assert api_calls(km_emulator) == {'POST /keys/{key_id}/encrypt': 1, 'POST /keys/{key_id}/decrypt': 1}
