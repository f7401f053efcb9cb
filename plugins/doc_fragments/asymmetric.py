# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # The key option of scwkms_public_key, scwkms_sign and scwkms_verify.
    DOCUMENTATION = r'''
options:
  key:
    description:
      - The key, as a UUID, a C(scwkms:key-id=<uuid>;region=<region>) URI, a
        C(scw-kms://regions/<region>/keys/<uuid>) or C(scw-kms://<uuid>) URI (Tink), or a name (looked up in O(project_id) and O(region)).
    type: str
    required: true
    aliases: [key_id]
'''

    # What scwkms_sign and scwkms_verify digest (module_utils/_signing_input.py).
    SIGNING_INPUT = r'''
options:
  content:
    description:
      - The message as text; its UTF-8 bytes are digested. Not logged and not returned.
      - An empty string is the empty message, as an empty O(content_b64) is.
    type: str
  content_b64:
    description:
      - The message as bytes, base64-encoded (standard or URL-safe, padding optional). Not logged and not returned.
      - An empty string is the empty message.
    type: str
  path:
    description:
      - A file on the host running the module, digested in chunks of 1 MiB (so its size does not matter).
    type: path
  digest:
    description:
      - A precomputed digest, hex or base64 (standard or URL-safe, padding optional). A value made only of hex digits
        is read as hex.
      - Its length must fit the key's algorithm (32 bytes, or 48 for V(ec_p384_sha384)); it is checked before any
        request. An empty digest is an error.
    type: str
'''
