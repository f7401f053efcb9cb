#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: scwkms_decrypt
short_description: Decrypt a Scaleway Key Manager ciphertext or envelope, and follow key rotations
version_added: 0.2.0
description:
  - Decrypts what M(scwkms.key_manager.scwkms_encrypt) wrote, or what a Tink program with Scaleway's Tink extension
    wrote (KMS envelope AEAD, DEK template C(AES256_GCM)), or a direct Key Manager ciphertext from any client. The
    input is O(ciphertext) (base64) or the binary file O(path); a direct ciphertext and an envelope are told apart
    by their layout.
  - The plaintext goes to the file O(dest) (streamed, so any size), or is returned as RV(plaintext) and
    RV(plaintext_b64) when O(return_plaintext=true) (at most 16 MiB), or neither, which only checks that the
    ciphertext decrypts.
  - Key Manager answers a decryption of data sealed under an older rotation of the key with a ciphertext under the
    newest one. With O(rewrap=true) the module writes it back to O(path), or returns it as RV(ciphertext), so
    stored ciphertexts follow the key's rotations. An envelope keeps its payload; only its data key is re-encrypted.
author:
  - Scaleway Key Manager collection maintainers (@scwkms)
extends_documentation_fragment:
  - scwkms.key_manager.api
  - scwkms.key_manager.attributes
  - scwkms.key_manager.encryption
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    details:
      - Decryption changes nothing, so the module decrypts in check mode too (one C(/decrypt) request) and reports
        whether O(dest) or O(path) would change, writing neither.
  diff_mode:
    support: full
    details:
      - With O(dest), names the file before and after (sizes only, never data) and changed file attributes; with
        O(rewrap=true), names the ciphertext file rewritten.
  idempotent:
    support: full
    details:
      - O(dest) is written only when its content differs from the plaintext. A rewrap happens once per rotation.
options:
  ciphertext:
    description:
      - The ciphertext, base64 (standard or URL-safe, padding optional), as RV(scwkms.key_manager.scwkms_encrypt#module:ciphertext)
        returns it. Mutually exclusive with O(path).
    type: str
  path:
    description:
      - A binary ciphertext file on the host that runs the module, as O(scwkms.key_manager.scwkms_encrypt#module:dest)
        writes it. An envelope is streamed, so its size does not matter. Mutually exclusive with O(ciphertext).
    type: path
  dest:
    description:
      - Write the plaintext to this file (atomically, through a temporary file beside it that is renamed only after
        the data authenticates). The directory must exist. A new file gets mode C(0600) unless O(mode) says
        otherwise. A file already holding the plaintext is kept.
    type: path
  return_plaintext:
    description:
      - Return the plaintext as RV(plaintext) and RV(plaintext_b64). Set C(no_log) on such a task.
    type: bool
    default: false
  rewrap:
    description:
      - When Key Manager returns the data under the key's newest rotation, write that ciphertext back to O(path)
        (atomically, keeping its attributes) or return it as RV(ciphertext), with C(changed=true).
    type: bool
    default: false
notes:
  - "What it costs in requests: one C(/decrypt), whatever the form and size (an envelope sends only its 67-byte
    encrypted data key), and nothing else: a key given by id is not read; a key given by name costs one list request
    first. After a refusal, one GET of the key explains it."
  - "Limits, checked before any request: a direct ciphertext is 1 to 131071 bytes; an envelope has no limit with
    O(dest)."
requirements:
  - cryptography
seealso:
  - module: scwkms.key_manager.scwkms_encrypt
'''

EXAMPLES = r'''
- name: Decrypt a configuration file next to the application
  scwkms.key_manager.scwkms_decrypt:
    key: app-secrets
    path: /etc/app/settings.yml.enc
    dest: /etc/app/settings.yml
    owner: app
    mode: "0400"
    rewrap: true

- name: Read a secret into a variable (never logged)
  scwkms.key_manager.scwkms_decrypt:
    key: "scw-kms://2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a"
    ciphertext: "{{ sealed.ciphertext }}"
    associated_data: "db/prod"
    return_plaintext: true
  register: opened
  no_log: true
'''

RETURN = r'''
key_id: {description: The key's id., returned: success, type: str, sample: 2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a}
region: {description: The key's region., returned: success, type: str, sample: fr-par}
kms_uri: {description: The key as a C(scwkms:) URI (step-ca)., returned: success, type: str,
          sample: "scwkms:key-id=2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a;region=fr-par"}
tink_uri: {description: The key as a Tink key URI., returned: success, type: str,
           sample: "scw-kms://regions/fr-par/keys/2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a"}
form: {description: V(direct) or V(envelope)., returned: success, type: str, sample: envelope}
plaintext:
  description: The plaintext as text, when O(return_plaintext=true) and it is valid UTF-8 (else V(null)).
  returned: when O(return_plaintext=true)
  type: str
plaintext_b64:
  description: The plaintext, base64, when O(return_plaintext=true).
  returned: when O(return_plaintext=true)
  type: str
rewrap_available:
  description: V(true) when the data was sealed under an older rotation of the key (Key Manager returned a newer ciphertext).
  returned: success
  type: bool
rewrapped:
  description: V(true) when the newer ciphertext was written back to O(path) or returned as RV(ciphertext) (O(rewrap=true)).
  returned: success
  type: bool
ciphertext:
  description: The ciphertext under the newest rotation (base64), when O(rewrap=true), O(ciphertext) was given and one was returned.
  returned: success
  type: str
dest:
  description: The plaintext file, when O(dest) was given.
  returned: when O(dest) was given
  type: str
  sample: /etc/app/settings.yml
'''

import base64
import io
import os

from ansible_collections.scwkms.key_manager.plugins.module_utils import _crypt_io, _dest
from ansible_collections.scwkms.key_manager.plugins.module_utils._envelope import header
from ansible_collections.scwkms.key_manager.plugins.module_utils._keyref import tink_uri
from ansible_collections.scwkms.key_manager.plugins.module_utils._module import (
    build_module, client_from_module, module_errors, require_cryptography,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._sealing import unseal_into
from ansible_collections.scwkms.key_manager.plugins.module_utils._target import identity, key_option, locate

INPUTS = ('ciphertext', 'path')


def argument_spec():
    return dict(
        key=key_option(),
        ciphertext=dict(type='str'),
        path=dict(type='path'),
        associated_data=dict(type='str', no_log=False),
        dest=dict(type='path'),
        return_plaintext=dict(type='bool', default=False),
        rewrap=dict(type='bool', default=False),
    )


def to_dest(module, sink, temporary, existed, result):
    dest = module.params['dest']
    before = 'plaintext, %d bytes (not shown)' % os.path.getsize(dest) if existed else None
    size = sink.tell()
    sink.flush()
    sink.seek(0)
    if existed and _crypt_io.same_content(sink, dest):
        result['changed'], attributes = _crypt_io.attributes(module, dest, False, True)
        diffs = [attributes] if attributes else []
    else:
        result['changed'], attributes = _crypt_io.place(module, temporary, dest, existed)
        diffs = [_crypt_io.content_diff(dest, before, 'plaintext, %d bytes (not shown)' % size)]
        diffs += [attributes] if attributes else []
    return diffs


def rewrap(module, source, unsealed, result):
    """The ciphertext under the newest rotation, written back to path or returned; returns diffs."""
    new = unsealed.refreshed
    if unsealed.form == 'envelope':
        source.seek(unsealed.payload_at)
        new = header(new)
    result.update(changed=True, rewrapped=True)
    path = module.params['path']
    if path is None:
        result['ciphertext'] = base64.b64encode(new + source.read()).decode('ascii')
        return []
    with _dest.temporary_beside(path) as (sink, temporary):
        sink.write(new)
        for chunk in iter(lambda: source.read(_crypt_io.CHUNK_SIZE), b''):
            sink.write(chunk)
        sink.flush()
        if not module.check_mode:
            _dest.move_into_place(module, temporary, path)
    return [_crypt_io.content_diff(path, 'ciphertext under an older key rotation', 'ciphertext under the newest')]


def run(module, source, result, sink):
    params = module.params
    settings, client = client_from_module(module)
    target = locate(client, settings, params['key'], params['region'])
    result.update(identity(target), tink_uri=tink_uri(target.key_id, target.region))
    unsealed = unseal_into(client, target, source, sink, _crypt_io.associated_data(params))
    result.update(form=unsealed.form, rewrap_available=unsealed.refreshed is not None)
    if params['return_plaintext']:
        data = sink.getvalue() if isinstance(sink, io.BytesIO) else _read_back(sink)
        result['plaintext_b64'] = base64.b64encode(data).decode('ascii')
        try:
            result['plaintext'] = data.decode('utf-8')
        except UnicodeDecodeError:
            result['plaintext'] = None
    return unsealed


def _read_back(sink):
    sink.flush()
    sink.seek(0)
    return sink.read()


def decrypt(module, source, size, result):
    params = module.params
    if params['return_plaintext']:
        _crypt_io.check_result_size(size, 'ciphertext')
    diffs = []
    if params['dest']:
        existed = _crypt_io.dest_exists(params['dest'])
        result['dest'] = params['dest']
        with _dest.temporary_beside(params['dest']) as (sink, temporary):
            unsealed = run(module, source, result, sink)
            diffs = to_dest(module, sink, temporary, existed, result)
    else:
        unsealed = run(module, source, result, io.BytesIO() if params['return_plaintext'] else _crypt_io.Discard())
    if params['rewrap'] and unsealed.refreshed is not None:
        diffs += rewrap(module, source, unsealed, result)
    if module._diff:
        result['diff'] = diffs


def main():
    module = build_module(argument_spec(), supports_check_mode=True, add_file_common_args=True,
                          mutually_exclusive=[INPUTS], required_one_of=[INPUTS])
    require_cryptography(module)
    result = dict(changed=False, form=None, rewrap_available=False, rewrapped=False, ciphertext=None)
    with module_errors(module, **result):
        source, size = _crypt_io.open_source(module.params, None, 'ciphertext', 'ciphertext')
        with source:
            decrypt(module, source, size, result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
