#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: scwkms_encrypt
short_description: Encrypt text, bytes or a file of any size with a Scaleway Key Manager key
version_added: 0.2.0
description:
  - Encrypts with a Key Manager encryption key. The input is a text O(content), bytes as O(content_b64), or a file
    O(path) on the host that runs the module. The ciphertext is returned as RV(ciphertext) (base64), or written to
    O(dest).
  - Symmetric keys (V(aes_256_gcm)) encrypt through the service (C(/encrypt)). Asymmetric encryption keys
    (V(rsa_oaep_2048_sha256), V(rsa_oaep_3072_sha256), V(rsa_oaep_4096_sha256)) encrypt locally with the public key
    (RSA-OAEP, SHA-256, MGF1-SHA-256, no label), fetched once. The plaintext never leaves the host, and only
    M(scwkms.key_manager.scwkms_decrypt) asks the service to decrypt.
  - The service encrypts 1 to 65535 bytes (RSA-OAEP 190, 318 or 446 bytes, without associated data). Larger or
    empty data, or any data with O(envelope=always), is encrypted as an envelope in Google Tink's KMS envelope AEAD
    format. A fresh AES-256-GCM data key (DEK) encrypts the data locally, and only the DEK is encrypted with the Key
    Manager key. Tink programs (Go, Python) with Scaleway's Tink extension decrypt these envelopes, and the
    collection decrypts theirs (the DEK template must be C(AES256_GCM)).
  - A file is streamed in 1 MiB chunks, so its size does not matter when the ciphertext goes to O(dest); a
    ciphertext returned in the result is limited to 16 MiB.
author:
  - Scaleway Key Manager collection maintainers (@scwkms)
extends_documentation_fragment:
  - scwkms.key_manager.api
  - scwkms.key_manager.attributes
  - scwkms.key_manager.encryption
  - scwkms.key_manager.encryption.encrypt_algorithm
  - ansible.builtin.files
attributes:
  check_mode:
    support: partial
    details:
      - In check mode the module makes no request at all, so it cannot tell whether an existing O(dest) already
        holds this plaintext; with O(dest) it reports C(changed=true), without it C(changed=false) and no
        RV(ciphertext). Inputs, limits and the key reference are still checked.
  diff_mode:
    support: full
    details:
      - With O(dest), names the ciphertext file before and after (sizes and form, never data) and changed file
        attributes.
  idempotent:
    support: full
    details:
      - Encryption is randomized, so each run gives a new ciphertext. Without O(dest) the module never reports a
        change. With O(dest), a file that already decrypts to the same plaintext under the same key and
        associated data (and in the form O(envelope) asks for) is kept, with C(changed=false); that check costs one
        C(/decrypt) request.
options:
  content:
    description:
      - The text to encrypt (encoded as UTF-8). Mutually exclusive with O(content_b64) and O(path).
    type: str
  content_b64:
    description:
      - The bytes to encrypt, base64-encoded. Mutually exclusive with O(content) and O(path).
    type: str
  path:
    description:
      - A file to encrypt, on the host that runs the module, read in chunks. Mutually exclusive with O(content) and
        O(content_b64).
    type: path
  envelope:
    description:
      - V(auto) encrypts directly when the service's limit allows it (1 to 65535 bytes; for RSA-OAEP keys the key's
        limit and no O(associated_data)), else as an envelope.
      - V(always) always writes an envelope; V(never) never does, and fails (before any request) on data the
        service cannot encrypt directly.
    type: str
    choices: [auto, always, never]
    default: auto
  dest:
    description:
      - Write the binary ciphertext to this file (atomically, through a temporary file beside it) instead of
        returning it. The directory must exist. A new file gets mode C(0600) unless O(mode) says otherwise.
      - When the file already decrypts to the same plaintext under the same key and associated data, it is kept.
    type: path
notes:
  - "What it costs in requests: a symmetric key encrypts with one C(/encrypt), whatever the size (an envelope
    encrypts only its DEK); an RSA-OAEP key with one GET of the public key and no encryption request. Before it,
    for a key given by id, one GET of the key to learn its algorithm unless O(algorithm) is given; for a key given
    by name, one list request instead. With O(dest) holding a ciphertext of the right size, one C(/decrypt) first,
    and no encryption when it already holds this plaintext. In check mode, none."
  - "Limits, checked before any request: an envelope adds 99 bytes to the plaintext with a symmetric key (4 + a 67-byte
    encrypted DEK + 12 + 16), a direct ciphertext 33 bytes; an RSA-OAEP ciphertext is the modulus size."
requirements:
  - cryptography
seealso:
  - module: scwkms.key_manager.scwkms_decrypt
  - module: scwkms.key_manager.scwkms_data_key
'''

EXAMPLES = r'''
- name: Encrypt a database password for the application's config
  scwkms.key_manager.scwkms_encrypt:
    key: app-secrets
    content: "{{ db_password }}"
    associated_data: "db/prod"
  register: sealed
  no_log: true

- name: Encrypt a backup of any size into an envelope next to it
  scwkms.key_manager.scwkms_encrypt:
    key: "scw-kms://regions/fr-par/keys/2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a"
    algorithm: aes_256_gcm
    path: /srv/backup/db.dump
    dest: /srv/backup/db.dump.enc
    mode: "0640"

- name: Encrypt locally with an RSA-OAEP key (the plaintext never leaves the host)
  scwkms.key_manager.scwkms_encrypt:
    key: deploy-rsa
    content_b64: "{{ lookup('ansible.builtin.file', 'token.bin') | b64encode }}"
'''

RETURN = r'''
key_id: {description: The key's id., returned: success, type: str, sample: 2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a}
region: {description: The key's region., returned: success, type: str, sample: fr-par}
kms_uri: {description: The key as a C(scwkms:) URI (step-ca)., returned: success, type: str,
          sample: "scwkms:key-id=2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a;region=fr-par"}
tink_uri: {description: The key as a Tink key URI., returned: success, type: str,
           sample: "scw-kms://regions/fr-par/keys/2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a"}
algorithm: {description: The key's algorithm; V(null) in check mode., returned: success, type: str, sample: aes_256_gcm}
form:
  description: V(direct) or V(envelope); V(null) in check mode.
  returned: success
  type: str
  sample: direct
ciphertext:
  description:
    - The ciphertext, base64 (standard alphabet, padded), as M(scwkms.key_manager.scwkms_decrypt) takes it.
    - V(null) with O(dest), and in check mode.
  returned: success
  type: str
  sample: AQAAAAF8HFPnyemkCeEQ3GiyUbRqPimTB/9qFjnqIYNxLDPBIck7RL029kwv62QUqs8dww==
size: {description: The ciphertext's size in bytes; V(null) in check mode., returned: success, type: int, sample: 57}
dest:
  description: The ciphertext file, when O(dest) was given.
  returned: when O(dest) was given
  type: str
  sample: /srv/backup/db.dump.enc
'''

import base64
import io
import os

from ansible_collections.scwkms.key_manager.plugins.module_utils import _crypt_io, _dest
from ansible_collections.scwkms.key_manager.plugins.module_utils._keyref import tink_uri
from ansible_collections.scwkms.key_manager.plugins.module_utils._locator import target as check_reference
from ansible_collections.scwkms.key_manager.plugins.module_utils._module import (
    build_module, client_from_module, module_errors, require_cryptography,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._sealing import (
    ENCRYPTION_ALGORITHMS, ENVELOPE_CHOICES, MAX_CIPHERTEXT, SealingError, choose_form, envelope_header,
    direct_limit, is_symmetric, key_algorithm, seal_into, unseal_into,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._target import identity, key_option, locate

INPUTS = ('content', 'content_b64', 'path')


def argument_spec():
    return dict(
        key=key_option(),
        algorithm=dict(type='str', choices=list(ENCRYPTION_ALGORITHMS)),
        content=dict(type='str', no_log=True),
        content_b64=dict(type='str', no_log=True),
        path=dict(type='path'),
        associated_data=dict(type='str', no_log=False),
        envelope=dict(type='str', choices=list(ENVELOPE_CHOICES), default='auto'),
        dest=dict(type='path'),
    )


def holds(client, target, algorithm, dest, source, size, aad, envelope):
    """The form of dest when it decrypts to the rest of source under this key and AD, in a form `envelope` allows,
    else None; a dest of the wrong size costs no request. source is left where it was."""
    with open(dest, 'rb') as sealed:
        total = os.fstat(sealed.fileno()).st_size
        encrypted_dek = envelope_header(sealed)
        if encrypted_dek is None:
            expected = size + 33 if is_symmetric(algorithm) else direct_limit(algorithm) + 66
            if envelope == 'always' or total != expected or total > MAX_CIPHERTEXT:
                return None
        elif envelope == 'never' or total - sealed.tell() - 28 != size:
            return None
        sealed.seek(0)
        start, sink = source.tell(), _crypt_io.Comparing(source)
        try:
            form = unseal_into(client, target, sealed, sink, aad).form
            return form if sink.matched() else None
        except SealingError:
            return None
        finally:
            source.seek(start)


def to_dest(module, client, target, algorithm, form, source, size, result):
    params = module.params
    dest, aad = params['dest'], _crypt_io.associated_data(params)
    existed = os.path.exists(dest)
    result['dest'] = dest
    before = 'ciphertext, %d bytes' % os.path.getsize(dest) if existed else None
    kept = existed and holds(client, target, algorithm, dest, source, size, aad, params['envelope'])
    if kept:
        result.update(size=os.path.getsize(dest), form=kept)
        result['changed'], attributes = _crypt_io.attributes(module, dest, False, True)
        diffs = [attributes] if attributes else []
    else:
        with _dest.temporary_beside(dest) as (sink, temporary):
            seal_into(client, target, algorithm, form, source, sink, aad)
            sink.flush()
            result['size'] = sink.tell()
            result['changed'], attributes = _crypt_io.place(module, temporary, dest, existed)
        after = '%s ciphertext, %d bytes' % (form, result['size'])
        diffs = [_crypt_io.content_diff(dest, before, after)] + ([attributes] if attributes else [])
    if module._diff:
        result['diff'] = diffs


def run(module, source, size, result):
    params = module.params
    aad = _crypt_io.associated_data(params)
    choose_form(params['algorithm'], size, params['envelope'], aad)
    if params['dest']:
        _crypt_io.dest_exists(params['dest'])
        result['dest'] = params['dest']
    else:
        _crypt_io.check_result_size(size, 'plaintext')
    settings, client = client_from_module(module)
    if module.check_mode:
        check_reference(settings, reference=params['key'], region=params['region'])
        result['changed'] = bool(params['dest'])
        return
    target = locate(client, settings, params['key'], params['region'])
    target, algorithm = key_algorithm(client, target, params['algorithm'])
    form = choose_form(algorithm, size, params['envelope'], aad)
    result.update(identity(target), tink_uri=tink_uri(target.key_id, target.region), algorithm=algorithm, form=form)
    if params['dest']:
        return to_dest(module, client, target, algorithm, form, source, size, result)
    sink = io.BytesIO()
    seal_into(client, target, algorithm, form, source, sink, aad)
    result.update(ciphertext=base64.b64encode(sink.getvalue()).decode('ascii'), size=len(sink.getvalue()))


def main():
    module = build_module(argument_spec(), supports_check_mode=True, add_file_common_args=True,
                          mutually_exclusive=[INPUTS], required_one_of=[INPUTS])
    require_cryptography(module)
    result = dict(changed=False, algorithm=None, form=None, ciphertext=None, size=None)
    with module_errors(module, **result):
        source, size = _crypt_io.open_source(module.params, 'content', 'content_b64', 'plaintext')
        with source:
            run(module, source, size, result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
