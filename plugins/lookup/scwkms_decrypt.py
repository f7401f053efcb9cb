# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: scwkms_decrypt
short_description: Decrypt Scaleway Key Manager ciphertexts on the controller
version_added: 0.2.0
description:
  - Decrypts each term on the controller and returns its plaintext, as text or base64.
  - A term is a file found in the C(files/) search path of the play or role (as P(ansible.builtin.file#lookup) finds
    files, relative paths searched for and absolute ones used as they are), or else an inline ciphertext.
  - A ciphertext is a direct Key Manager ciphertext or a Tink envelope (as M(scwkms.key_manager.scwkms_encrypt) writes
    them), given as base64 text; a file may hold that base64 text, the raw bytes, or a sealed file (the small YAML
    wrapper that also names the key, as written by M(scwkms.key_manager.scwkms_vars_file), C(scripts/scwkms-vars) and
    the vault client). A sealed file can also be given inline.
  - The plaintext never touches the disk; there is no cache. Values are returned unsafe, so a secret holding C({{)
    is returned as it is and never templated.
  - "Requests: one decrypt request per term, each time the lookup runs (plus one list request per term when O(key)
    is a name). Lookups run on the controller once per host and per use: a template rendered for 100 hosts costs
    100 requests per term. To decrypt once per run, use the P(scwkms.key_manager.scwkms#vars) vars plugin for
    variables, or a C(run_once: true) task with C(ansible.builtin.set_fact) (facts set on one host are read by the
    others with C(hostvars))."
author:
  - Scaleway Key Manager collection maintainers (@scwkms)
extends_documentation_fragment:
  - scwkms.key_manager.api
  - scwkms.key_manager.api.plugins
options:
  _terms:
    description:
      - Files (in the C(files/) search path) or inline ciphertexts (base64 text, or the text of a sealed file).
    type: list
    elements: str
    required: true
  key:
    description:
      - The key that decrypts; a UUID, a C(scw-kms://) or C(scwkms:key-id=) URI, or a name (looked up in
        O(project_id) and O(region), one list request).
      - Required unless the term is a sealed file, which names its key; given with a sealed file, both must name the
        same key.
    type: str
    vars:
      - name: scwkms_decrypt_key
  associated_data:
    description:
      - The associated data (text) the ciphertext was encrypted with; empty by default.
    type: str
  output:
    description:
      - V(text) returns the plaintext as text (it must be UTF-8); V(base64) returns it base64-encoded, for binary
        content.
    type: str
    choices: [text, base64]
    default: text
notes:
  - "A C(no_log: true) task keeps the value out of the task's output; the lookup itself never prints or logs it."
  - Errors name the file (or say that the term was inline) and the key, never the plaintext.
seealso:
  - plugin: scwkms.key_manager.scwkms
    plugin_type: vars
  - module: scwkms.key_manager.scwkms_vars_file
'''

EXAMPLES = r'''
- name: A database password kept encrypted beside the playbook (files/db_password.sealed)
  ansible.builtin.template:
    src: app.conf.j2   # uses db_password
    dest: /etc/app.conf
    mode: "0600"
  vars:
    db_password: "{{ lookup('scwkms.key_manager.scwkms_decrypt', 'db_password.sealed') }}"

- name: Decrypt once for the whole play, not once per host
  ansible.builtin.set_fact:
    api_token: "{{ lookup('scwkms.key_manager.scwkms_decrypt', api_token_ciphertext, key='app-secrets') }}"
  run_once: true
  no_log: true

- name: A binary secret, base64
  ansible.builtin.copy:
    content: "{{ lookup('scwkms.key_manager.scwkms_decrypt', 'tls.key.enc', key=tls_key_id, output='base64') | b64decode }}"
    dest: /etc/ssl/private/app.key
    mode: "0600"
  no_log: true
'''

RETURN = r'''
_raw:
  description: One plaintext per term, as text or base64 (O(output)), marked unsafe.
  type: list
  elements: str
'''

import base64

from ansible.plugins.lookup import LookupBase
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.scwkms.key_manager.plugins.module_utils._errors import UserError
from ansible_collections.scwkms.key_manager.plugins.module_utils._target import describe, locate
from ansible_collections.scwkms.key_manager.plugins.module_utils import _sealed_file
from ansible_collections.scwkms.key_manager.plugins.module_utils._sealing import unseal
from ansible_collections.scwkms.key_manager.plugins.module_utils._vars_file import same_target
from ansible_collections.scwkms.key_manager.plugins.module_utils._wire import b64decode
from ansible_collections.scwkms.key_manager.plugins.plugin_utils._lookup import (
    client_from_plugin, lookup_errors, require_cryptography_plugin, templated_sources,
)

NAME = 'scwkms_decrypt'
INLINE = 'the inline ciphertext'
# Longer terms are ciphertexts: no file system takes such a path.
PATH_MAX = 4096


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=templated_sources(self._templar, variables), direct=kwargs)
        require_cryptography_plugin(NAME)
        settings, client = client_from_plugin(self, NAME)
        associated_data = (self.get_option('associated_data') or '').encode('utf-8')
        results = []
        for term in terms:
            with lookup_errors(NAME):
                source, data = self._read(term, variables)
                try:
                    plaintext = self._decrypt(client, settings, data, source, associated_data)
                except UserError as exc:
                    # Messages about the file itself (a malformed sealed file) name it already.
                    raise exc if str(exc).startswith(source) else UserError('%s: %s' % (source, exc))
                results.append(render(plaintext, self.get_option('output'), source))
        return wrap_var(results)

    def _read(self, term, variables):
        """(what to call the term in messages, its bytes)."""
        if not isinstance(term, str) or not term.strip():
            raise UserError('each term must be a file or a ciphertext, got %r' % (term,))
        path = None
        if len(term) <= PATH_MAX and not _sealed_file.is_sealed_text(term):
            try:
                path = self.find_file_in_search_path(variables, 'files', term, ignore_missing=True)
            except (OSError, ValueError):  # a ciphertext that is no possible file name
                path = None
        if path is None:
            return INLINE, term.encode('utf-8')
        try:
            with open(path, 'rb') as handle:
                return path, handle.read()
        except OSError as exc:
            raise UserError('cannot read %s: %s' % (path, exc.strerror or exc))

    def _decrypt(self, client, settings, data, source, associated_data):
        text = _text(data)
        key = self.get_option('key')
        target = locate(client, settings, key, self.get_option('region')) if key else None
        if text is not None and _sealed_file.is_sealed_text(text):
            sealed = _sealed_file.load(text, source)
            named = locate(client, settings, sealed.key)
            if target is not None and not same_target(target, named):
                raise UserError('the file is sealed with %s, but key is %s' % (describe(named), describe(target)))
            target, ciphertext = named, sealed.ciphertext
        else:
            ciphertext = _ciphertext(data, text, source == INLINE)
        if target is None:
            raise UserError('key is required: the ciphertext does not say which key decrypts it')
        return unseal(client, target, ciphertext, associated_data).plaintext


def _text(data):
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return None


def _ciphertext(data, text, inline):
    """The ciphertext bytes: the base64 text a term or file holds, else the raw bytes of a file."""
    if text is None:
        return data
    try:
        return b64decode(text)
    except (TypeError, ValueError):
        if inline:
            raise UserError('the term is neither a file in the files search path nor base64 ciphertext')
    return data


def render(plaintext, output, source):
    if output == 'base64':
        return base64.b64encode(plaintext).decode('ascii')
    try:
        return plaintext.decode('utf-8')
    except UnicodeDecodeError:
        raise UserError('%s: the plaintext is not UTF-8 text; use output=base64' % source)
