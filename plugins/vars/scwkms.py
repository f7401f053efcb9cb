# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: scwkms
short_description: Variables from files encrypted with Scaleway Key Manager, in group_vars and host_vars
version_added: 0.2.0
description:
  - Loads encrypted vars files from the C(group_vars/) and C(host_vars/) directories beside the inventory and the
    playbook, as P(ansible.builtin.host_group_vars#vars) loads plain ones; C(group_vars/<group>.scwkms) (file form)
    and every C(*.scwkms) file under C(group_vars/<group>/) (directory form, searched recursively, hidden files and
    files ending with C(~) skipped); likewise for C(host_vars/<host>).
  - Each file is a sealed file (a small YAML wrapper naming the key and holding a Key Manager ciphertext, direct or
    Tink envelope) whose plaintext is a YAML mapping of variables. Write them with
    M(scwkms.key_manager.scwkms_vars_file) or the C(scripts/scwkms-vars) command of this collection.
  - "Requests: one decrypt request per file per C(ansible-playbook) run, whatever the number of hosts, groups and
    tasks. Decrypted files are kept in the memory of the controller process only (never on disk), keyed by the
    file's path, size, modification time and inode; a file changed during the run is decrypted again."
  - Like every vars plugin in a collection, it must be enabled, for example in C(ansible.cfg)
    C([defaults] vars_plugins_enabled = host_group_vars,scwkms.key_manager.scwkms).
  - Decrypted values are marked unsafe, so a value holding C({{) is never templated, and they are never logged.
author:
  - Scaleway Key Manager collection maintainers (@scwkms)
extends_documentation_fragment:
  - ansible.builtin.vars_plugin_staging
  - scwkms.key_manager.api
options:
  suffixes:
    description:
      - File name endings of encrypted vars files.
      - The default is not C(.yml) on purpose; P(ansible.builtin.host_group_vars#vars) reads every C(.yml) file of a
        C(group_vars/<group>/) directory as plain variables, and would define the wrapper's keys
        (C(scwkms_sealed), C(key), C(ciphertext)) for that group.
    type: list
    elements: str
    default: ['.scwkms']
    env:
      - name: SCWKMS_VARS_PLUGIN_SUFFIXES
    ini:
      - section: scwkms_key_manager
        key: vars_plugin_suffixes
  disabled:
    description:
      - Do not load anything. Set it where an inventory is read without running a playbook and decrypted secrets
        must not be stored, for example an AWX or Automation Controller inventory sync, which saves the inventory's
        variables in its database (community.sops has the same switch for the same reason).
    type: bool
    default: false
    env:
      - name: SCWKMS_VARS_PLUGIN_DISABLED
    ini:
      - section: scwkms_key_manager
        key: vars_plugin_disabled
  stage:
    ini:
      - section: scwkms_key_manager
        key: vars_plugin_stage
    env:
      - name: SCWKMS_VARS_PLUGIN_STAGE
  profile:
    ini:
      - section: scwkms_key_manager
        key: vars_plugin_profile
  config_file:
    ini:
      - section: scwkms_key_manager
        key: vars_plugin_config_file
  api_url:
    ini:
      - section: scwkms_key_manager
        key: vars_plugin_api_url
notes:
  - A vars plugin has no host or play variables to read, so the C(scwkms_*) variables that the lookups read do not
    apply. Credentials come from the E(SCW_*) environment variables (E(SCW_SECRET_KEY), E(SCW_API_URL), ...), then
    the selected profile of the Scaleway config file, as for the modules; the ini keys above select a profile, a
    config file or an API URL without putting a secret in C(ansible.cfg).
  - Errors name the file and say why (a key it cannot be decrypted with, a disabled key, a truncated or tampered
    ciphertext, missing credentials, content that is not a YAML mapping), and never quote its content.
  - Set O(stage=inventory) to decrypt once when the inventory is read rather than when tasks need the variables;
    either way a file costs one request per run.
seealso:
  - module: scwkms.key_manager.scwkms_vars_file
  - plugin: scwkms.key_manager.scwkms_decrypt
    plugin_type: lookup
'''

import os

from ansible.errors import AnsibleParserError
from ansible.inventory.group import Group
from ansible.inventory.host import Host
from ansible.plugins.vars import BaseVarsPlugin
from ansible.utils.unsafe_proxy import wrap_var
from ansible.utils.vars import combine_vars

from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerClient, KeyManagerError
from ansible_collections.scwkms.key_manager.plugins.module_utils._credentials import resolve_settings
from ansible_collections.scwkms.key_manager.plugins.module_utils._errors import UserError
from ansible_collections.scwkms.key_manager.plugins.module_utils._options import (
    CRYPTOGRAPHY, NAMES, REQUESTS, import_error, package_of,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._vars_file import open_text

NAME = 'scwkms.key_manager.scwkms vars plugin'
# Per controller process, so per ansible-playbook run: (path, size, mtime, inode) -> unsafe variables.
DECRYPTED = {}


class VarsModule(BaseVarsPlugin):

    def get_vars(self, loader, path, entities, cache=None):
        if not isinstance(entities, list):
            entities = [entities]
        super(VarsModule, self).get_vars(loader, path, entities)
        if self.get_option('disabled'):
            return {}
        suffixes = tuple(self.get_option('suffixes') or ())
        data = {}
        for entity in entities:
            for found in vars_files(self._basedir, entity, suffixes):
                data = combine_vars(data, self._decrypted(found))
        return data

    def _decrypted(self, path):
        try:
            stat = os.stat(path)
            identity = (os.path.realpath(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)
            if identity in DECRYPTED:
                return DECRYPTED[identity]
            with open(path, 'rb') as handle:
                text = handle.read().decode('utf-8')
        except (OSError, UnicodeDecodeError) as exc:
            raise AnsibleParserError('%s: cannot read %s: %s' % (NAME, path, getattr(exc, 'strerror', None) or exc))
        DECRYPTED[identity] = wrap_var(self._open(text, path))
        return DECRYPTED[identity]

    def _open(self, text, path):
        for package in (REQUESTS, CRYPTOGRAPHY):
            if import_error(package):
                raise AnsibleParserError('%s: %s needs the %s Python package on the controller' % (
                    NAME, path, package_of(package)))
        try:
            settings = resolve_settings(dict((name, self.get_option(name)) for name in NAMES))
        except UserError as exc:
            raise AnsibleParserError('%s: cannot decrypt %s: %s' % (NAME, path, exc))
        for warning in settings.warnings:
            self._display.warning('%s: %s' % (NAME, warning))
        try:
            return open_text(KeyManagerClient(settings), settings, text, path).variables
        except UserError as exc:  # it names the file
            raise AnsibleParserError('%s: %s' % (NAME, exc))
        except KeyManagerError as exc:
            raise AnsibleParserError('%s: cannot decrypt %s: Key Manager API call failed: %s' % (NAME, path, exc))


def vars_files(basedir, entity, suffixes):
    """The encrypted files of a host or group: those of the directory form (sorted, recursively), then the file
    form, as host_group_vars orders plain ones."""
    if isinstance(entity, Host):
        subdir = 'host_vars'
    elif isinstance(entity, Group):
        subdir = 'group_vars'
    else:
        raise AnsibleParserError('%s: supplied entity must be a Host or a Group, got %s' % (NAME, type(entity)))
    directory = os.path.realpath(os.path.join(basedir, subdir))
    # A host named like a path (chroot connections) has no vars file.
    if not suffixes or entity.name.startswith(os.path.sep) or not os.path.isdir(directory):
        return []
    base = os.path.join(directory, entity.name)
    found = _directory_files(base, suffixes) if os.path.isdir(base) else []
    return found + [base + suffix for suffix in suffixes if os.path.isfile(base + suffix)]


def _directory_files(directory, suffixes):
    found = []
    for name in sorted(os.listdir(directory)):
        if name.startswith('.') or name.endswith('~'):
            continue
        path = os.path.join(directory, name)
        if os.path.isdir(path):
            found.extend(_directory_files(path, suffixes))
        elif name.endswith(suffixes) and os.path.isfile(path):
            found.append(path)
    return found
