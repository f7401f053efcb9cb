#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: scwkms_data_key
short_description: Generate a data key with a Scaleway Key Manager key
version_added: 0.2.0
description:
  - Asks Key Manager for a fresh 32-byte AES-256-GCM data key (C(/generate-data-key)), encrypted with a symmetric
    key (V(aes_256_gcm)) and no associated data. The encrypted data key, RV(ciphertext), can be stored next to the
    data it protects and decrypted later with M(scwkms.key_manager.scwkms_decrypt) (O(scwkms.key_manager.scwkms_decrypt#module:return_plaintext=true)).
  - The plaintext data key is returned only when asked for (O(without_plaintext=false)).
  - The service's data key is 32 raw bytes, not a Tink C(AesGcmKey), so it is not a Tink envelope's data key;
    M(scwkms.key_manager.scwkms_encrypt) makes its own envelope data keys.
author:
  - Scaleway Key Manager collection maintainers (@scwkms)
extends_documentation_fragment:
  - scwkms.key_manager.api
  - scwkms.key_manager.attributes
attributes:
  check_mode:
    support: full
    details:
      - Generating a data key changes nothing in Key Manager, so the module generates one in check mode too.
  diff_mode:
    support: none
  idempotent:
    support: full
    details:
      - Each run returns a new data key, but nothing changes anywhere, so the module never reports a change.
options:
  key:
    description:
      - The symmetric key, as a UUID, a C(scwkms:key-id=<uuid>;region=<region>) URI, a Tink key URI
        (C(scw-kms://regions/<region>/keys/<uuid>) or C(scw-kms://<uuid>)), or a name (looked up in O(project_id)
        and O(region)).
    type: str
    required: true
    aliases: [key_id]
  without_plaintext:
    description:
      - V(true) (the default) returns only the encrypted data key; Key Manager does not even send the plaintext.
      - V(false) also returns the plaintext data key as RV(plaintext_b64). Set C(no_log) on such a task.
    type: bool
    default: true
notes:
  - "What it costs in requests: one C(/generate-data-key). A key given by id is not read; a key given by name costs
    one list request first (and the key's algorithm and state are then checked before it). After a refusal, one GET
    of the key explains it."
seealso:
  - module: scwkms.key_manager.scwkms_decrypt
  - module: scwkms.key_manager.scwkms_encrypt
'''

EXAMPLES = r'''
- name: Generate a data key and keep only its encrypted form
  scwkms.key_manager.scwkms_data_key:
    key: app-secrets
  register: data_key

- name: Generate a data key for a local tool, with its plaintext
  scwkms.key_manager.scwkms_data_key:
    key: "scw-kms://regions/fr-par/keys/2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a"
    without_plaintext: false
  register: data_key
  no_log: true
'''

RETURN = r'''
key_id: {description: The key's id., returned: success, type: str, sample: 2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a}
region: {description: The key's region., returned: success, type: str, sample: fr-par}
kms_uri: {description: The key as a C(scwkms:) URI (step-ca)., returned: success, type: str,
          sample: "scwkms:key-id=2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a;region=fr-par"}
algorithm: {description: The data key's algorithm., returned: success, type: str, sample: aes_256_gcm}
ciphertext:
  description: The data key encrypted with the key (base64, 65 bytes), as M(scwkms.key_manager.scwkms_decrypt) takes it.
  returned: success
  type: str
  sample: AQAAAAHuPgWdpYFqkLRzVYrDQ1P0uUVdIaxwtzbMAmW1e+3FW78NSCpNU4rd8m6r0cPE+VJQCz51pPiOCPGNatU=
plaintext_b64:
  description: The 32-byte data key, base64; V(null) unless O(without_plaintext=false).
  returned: success
  type: str
'''

import base64

from ansible_collections.scwkms.key_manager.plugins.module_utils._module import (
    build_module, client_from_module, module_errors,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._sealing_errors import explained, usable_algorithm
from ansible_collections.scwkms.key_manager.plugins.module_utils._target import identity, key_option, locate

SYMMETRIC = ('aes_256_gcm',)


def main():
    module = build_module(dict(key=key_option(), without_plaintext=dict(type='bool', default=True)),
                          supports_check_mode=True)
    result = dict(changed=False, algorithm='aes_256_gcm', ciphertext=None, plaintext_b64=None)
    with module_errors(module, **result):
        settings, client = client_from_module(module)
        target = locate(client, settings, module.params['key'], module.params['region'])
        usable_algorithm(target, None, 'generate data keys', SYMMETRIC)
        result.update(identity(target))
        with explained(client, target, 'generate data keys', allowed=SYMMETRIC):
            plaintext, ciphertext = client.generate_data_key(target.key_id, module.params['without_plaintext'],
                                                             target.region)
        result['ciphertext'] = base64.b64encode(ciphertext).decode('ascii')
        if not module.params['without_plaintext']:
            result['plaintext_b64'] = base64.b64encode(plaintext).decode('ascii')
    module.exit_json(**result)


if __name__ == '__main__':
    main()
