# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # The key and associated_data options of scwkms_encrypt and scwkms_decrypt.
    DOCUMENTATION = r'''
options:
  key:
    description:
      - The key, as a UUID, a C(scwkms:key-id=<uuid>;region=<region>) URI, a Tink key URI
        (C(scw-kms://regions/<region>/keys/<uuid>), or C(scw-kms://<uuid>) with the region from O(region)), or a name
        (looked up in O(project_id) and O(region)).
    type: str
    required: true
    aliases: [key_id]
  associated_data:
    description:
      - Associated data (AAD), as text encoded in UTF-8. It is not secret and not stored in the ciphertext, but bound to it,
        so decryption needs exactly the same value. Use it to tie a ciphertext to its context, such as a file name
        or a database row.
      - RSA-OAEP keys take no associated data directly, so with them it makes the module use an envelope.
    type: str
'''

    # The algorithm option of scwkms_encrypt: _sealing.ENCRYPTION_ALGORITHMS (not named ALGORITHM: Ansible would
    # resolve encryption.algorithm to the algorithm fragment).
    ENCRYPT_ALGORITHM = r'''
options:
  algorithm:
    description:
      - The key's algorithm, when you know it. With a key given by id it saves the request that reads the key (the
        service still refuses a key that cannot do the operation). With a key given by name, the key is read anyway
        and must have this algorithm.
    type: str
    choices:
      - aes_256_gcm
      - rsa_oaep_2048_sha256
      - rsa_oaep_3072_sha256
      - rsa_oaep_4096_sha256
'''
