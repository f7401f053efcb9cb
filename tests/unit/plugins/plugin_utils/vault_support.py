# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the vault password client's tests share (the in-process ones and the ansible-vault ones)."""

from __future__ import annotations

from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import client_for

DECRYPT = 'POST /keys/{key_id}/decrypt'
ENCRYPT = 'POST /keys/{key_id}/encrypt'


def aes_keys(emulator, *names):
    """{name: key id} of new unprotected aes_256_gcm keys."""
    api = client_for(emulator)
    return dict((name, api.create_key(name=name, algorithm='aes_256_gcm', protected=False)['id']) for name in names)
