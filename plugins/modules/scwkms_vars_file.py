#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: scwkms_vars_file
short_description: Write an encrypted vars file for the scwkms vars plugin, idempotently
version_added: 0.2.0
description:
  - Writes O(content), a dictionary of variables, as an encrypted vars file; a sealed file (a small YAML wrapper that
    names the key and holds a Key Manager ciphertext) whose plaintext is the variables as YAML. The
    P(scwkms.key_manager.scwkms#vars) vars plugin loads such files from C(group_vars/) and C(host_vars/), and the
    P(scwkms.key_manager.scwkms_decrypt#lookup) lookup decrypts them.
  - Idempotent; an existing file is decrypted and compared first, and written again only when its variables or its
    key differ. Comments and formatting of a file written with C(scripts/scwkms-vars) are kept as long as its
    variables are unchanged.
  - "Requests: an existing file costs one decrypt request (in check mode too). Writing costs one encrypt request for
    a symmetric key, one GET of the public key for an RSA-OAEP key, plus one GET of the key when O(key) is an id (a
    name costs one list request instead, which returns the key). A file that does not change costs no encrypt."
  - Files written here use the envelope form only when the YAML is larger than Key Manager's limit (O(envelope)).
author:
  - Scaleway Key Manager collection maintainers (@scwkms)
extends_documentation_fragment:
  - scwkms.key_manager.api
  - scwkms.key_manager.attributes
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    details: Decrypts an existing file to compare (a read); never encrypts or writes.
  diff_mode:
    support: full
    details: The diff names the variables added, removed and changed, and the key; never a value.
  idempotent:
    support: full
    details:
      - Variables are compared after decryption, so a file is rewritten only when its variables or its key change
        (encrypting gives different bytes each time).
options:
  path:
    description:
      - The file to write, for example C(group_vars/production/secrets.scwkms). Its directory must exist.
      - The vars plugin only reads files whose name ends with one of its suffixes (C(.scwkms) by default).
    type: path
    required: true
    aliases: [dest]
  content:
    description:
      - The variables, a dictionary whose keys are variable names. Never shown; the module's input and output hide
        every value.
    type: dict
    required: true
  key:
    description:
      - The key to encrypt with; a UUID, a C(scw-kms://) or C(scwkms:key-id=) URI, or a name.
      - Required to create a file. For an existing file it defaults to the key named in the file; a different key
        rewrites the file under it.
    type: str
  envelope:
    description:
      - V(auto) encrypts the YAML directly when it fits Key Manager's limit (64 KiB for symmetric keys) and as a Tink
        envelope otherwise; V(always) always uses an envelope; V(never) fails when it does not fit.
    type: str
    choices: [auto, always, never]
    default: auto
  mode:
    description:
      - The file's permissions; V(0600) when not given, even for an existing file.
notes:
  - The file is written atomically. A file whose key was rotated is not rewritten; it still decrypts.
seealso:
  - plugin: scwkms.key_manager.scwkms
    plugin_type: vars
  - plugin: scwkms.key_manager.scwkms_decrypt
    plugin_type: lookup
'''

EXAMPLES = r'''
- name: Database credentials of the production group, encrypted
  scwkms.key_manager.scwkms_vars_file:
    path: "{{ inventory_dir }}/group_vars/production/db.scwkms"
    key: app-secrets
    content:
      db_user: app
      db_password: "{{ new_db_password }}"
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
path:
  description: The file.
  returned: always
  type: str
key_id:
  description: The key the file is encrypted with.
  returned: success
  type: str
region:
  description: The key's region.
  returned: success
  type: str
added:
  description: Names of the variables added.
  returned: success
  type: list
  elements: str
removed:
  description: Names of the variables removed.
  returned: success
  type: list
  elements: str
updated:
  description: Names of the variables whose value changed (the values are never returned).
  returned: success
  type: list
  elements: str
'''

from ansible_collections.scwkms.key_manager.plugins.module_utils._dest import read_existing, write_dest
from ansible_collections.scwkms.key_manager.plugins.module_utils._errors import UserError
from ansible_collections.scwkms.key_manager.plugins.module_utils._module import (
    build_module, client_from_module, module_errors, require, require_cryptography,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._sealing import ENVELOPE_CHOICES
from ansible_collections.scwkms.key_manager.plugins.module_utils._target import locate
from ansible_collections.scwkms.key_manager.plugins.module_utils._vars_file import (
    changes, dump_variables, key_uri, open_text, parse_variables, same_target, seal_text,
)


def argument_spec():
    return dict(
        path=dict(type='path', required=True, aliases=['dest']),
        content=dict(type='dict', required=True, no_log=True),
        key=dict(type='str', no_log=False),
        envelope=dict(type='str', choices=list(ENVELOPE_CHOICES), default='auto'),
    )


def names_diff(path, before, before_key, after, after_key, changed_names):
    """A diff of variable names and keys only; a changed value shows as the name's line changing."""
    def text(key, variables, marker):
        lines = ['# key: %s' % key] if key else []
        lines += [name + (marker if name in changed_names else '') for name in sorted(variables)]
        return '\n'.join(lines) + '\n'
    return {'before_header': path if before is not None else '%s (absent)' % path, 'after_header': path,
            'before': '' if before is None else text(before_key, before, ' (old value)'),
            'after': text(after_key, after, ' (new value)')}


def plan(module, client, settings, current):
    """(target, current variables or None, current key URI or None)."""
    params = module.params
    opened = open_text(client, settings, current.decode('utf-8', 'replace'), params['path']) if current else None
    target = locate(client, settings, params['key'], params['region']) if params['key'] else None
    if target is None and opened is None:
        raise UserError('key: required to create %s' % params['path'])
    if opened is None:
        return target, None, None
    if target is None or same_target(target, opened.target):
        target = opened.target
    return target, opened.variables, opened.key_uri


def main():
    module = build_module(argument_spec(), supports_check_mode=True, add_file_common_args=True)
    require_cryptography(module)
    require(module, 'yaml')
    params = module.params
    if params['mode'] is None:
        params['mode'] = '0600'
    result = dict(changed=False, path=params['path'])
    with module_errors(module, **result):
        plaintext = dump_variables(params['content'])
        wanted = parse_variables(plaintext, 'content')
        current = read_existing(params['path'])
        settings, client = client_from_module(module)
        target, before, before_key = plan(module, client, settings, current)
        after_key = key_uri(target)
        names = changes(before or {}, wanted)
        result.update(key_id=target.key_id, region=target.region, added=names['added'], removed=names['removed'],
                      updated=names['changed'])
        rewrite = before is None or before_key != after_key or any(names.values())
        if rewrite and module._diff:
            result['diff'] = [names_diff(params['path'], before, before_key, wanted, after_key, names['changed'])]
        if rewrite and module.check_mode:
            result['changed'] = True
        else:
            content = seal_text(client, target, plaintext, params['envelope']).encode('ascii') if rewrite else current
            changed, diffs = write_dest(module, params['path'], content, current)
            result['changed'] = changed or rewrite
            if module._diff:
                # The content diff of write_dest would show the ciphertext; the names diff says it better.
                result.setdefault('diff', []).extend(diff for diff in diffs if isinstance(diff.get('before'), dict))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
