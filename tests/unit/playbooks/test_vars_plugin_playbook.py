# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Issue 10's integration test: ansible-playbook -vvvv over 20 hosts in several groups, with 3 encrypted vars files
(scwkms vars plugin) and the scwkms_decrypt lookup, against the emulator: one decrypt per file per run, right
values, nothing templated again, no plaintext in the output; and the plugin's switch and a missing credential."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils._sealed_file import dump, key_uri
from ansible_collections.scwkms.key_manager.plugins.module_utils._sealing import seal
from ansible_collections.scwkms.key_manager.plugins.module_utils._target import Target
from ansible_collections.scwkms.key_manager.tests.unit.playbooks.test_verbose_output_has_no_secrets import (
    assert_no_secret, collections_path,
)
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import DECRYPT, PROJECT, SECRET, client_for, create_key
from ansible_collections.scwkms.key_manager.tests.unit.plugins.vars.vars_support import write_vars_file

pytest.importorskip('scwkms_emulator')

GROUPS = {'web': range(1, 9), 'db': range(9, 15), 'cache': range(15, 21)}
COMMON = 'C0mmon-S3cret-for-all-hosts'
WEB = 'W3b-Pa55word-only-web'
HOST09 = 'H0st09-Db-Pa55'
TRAP = '{{ 7 * 6 }}-not-templated'
TOKEN = 'Api-T0ken-{{ 6 * 7 }}-from-lookup'
INLINE = 'Inline-Secret-Value-5150'

PLAYBOOK = """
- hosts: all
  gather_facts: false
  tasks:
    - name: Decrypt once for the play with the lookup (a sealed file in files/, and an inline ciphertext)
      ansible.builtin.set_fact:
        api_token: "{{{{ lookup('scwkms.key_manager.scwkms_decrypt', 'api_token.sealed') }}}}"
        inline: "{{{{ lookup('scwkms.key_manager.scwkms_decrypt', '{inline}', key='{lookup_key}') }}}}"
      run_once: true
      no_log: true

    - name: Every host has the common variables and the lookup's values, untemplated
      ansible.builtin.assert:
        that:
          - common_secret | hash('sha256') == '{common}'
          - trap | length == {trap_length}
          - trap.startswith('{{' ~ '{{')
          - api_token | hash('sha256') == '{token}'
          - inline | hash('sha256') == '{inline_hash}'
          - scwkms_sealed is undefined and ciphertext is undefined  # host_group_vars left the files alone

    - name: Web hosts have the web group's variables, others not
      ansible.builtin.assert:
        that:
          - (web_password | default('') | hash('sha256') == '{web}') == ('web' in group_names)

    - name: host09 has its own
      ansible.builtin.assert:
        that:
          - (db_password | default('') | hash('sha256') == '{host09}') == (inventory_hostname == 'host09')
"""

CHECK_DISABLED = """
- hosts: all
  gather_facts: false
  tasks:
    - name: Nothing loaded
      ansible.builtin.assert:
        that:
          - common_secret is undefined
"""


CHECK_LOADED = """
- hosts: host01
  gather_facts: false
  tasks:
    - name: Loaded
      ansible.builtin.assert:
        that:
          - common_secret | length == {length}
"""


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def project(tmp_path, emulator, vars_key, lookup_key):
    """An inventory of 20 hosts in 3 groups, 3 encrypted vars files under vars_key, a sealed file and an inline
    ciphertext under lookup_key; returns the inline ciphertext."""
    inventory = ['[%s]\n%s\n' % (group, '\n'.join('host%02d' % number for number in numbers))
                 for group, numbers in GROUPS.items()]
    (tmp_path / 'inventory.ini').write_text('\n'.join(inventory) + '\n[all:vars]\nansible_connection=local\n')
    (tmp_path / 'ansible.cfg').write_text('[defaults]\ninventory = inventory.ini\n'
                                          'vars_plugins_enabled = host_group_vars,scwkms.key_manager.scwkms\n')
    write_vars_file(emulator, tmp_path / 'group_vars' / 'all' / 'common.scwkms', vars_key,
                    {'common_secret': COMMON, 'trap': TRAP})
    write_vars_file(emulator, tmp_path / 'group_vars' / 'web.scwkms', vars_key, {'web_password': WEB})
    write_vars_file(emulator, tmp_path / 'host_vars' / 'host09' / 'db.scwkms', vars_key, {'db_password': HOST09},
                    envelope='always')
    client, target = client_for(emulator), Target(lookup_key, 'fr-par', None, lookup_key)
    (tmp_path / 'files').mkdir()
    (tmp_path / 'files' / 'api_token.sealed').write_text(
        dump(key_uri(lookup_key, 'fr-par'), seal(client, target, TOKEN.encode(), envelope='always').ciphertext))
    import base64
    return base64.b64encode(seal(client, target, INLINE.encode()).ciphertext).decode()


def run(tmp_path, playbook, emulator, **environment):
    (tmp_path / 'site.yml').write_text(playbook)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(tmp_path), ANSIBLE_NOCOLOR='1',
               ANSIBLE_CONFIG=str(tmp_path / 'ansible.cfg'), SCW_API_URL=emulator.url, SCW_SECRET_KEY=SECRET,
               SCW_DEFAULT_PROJECT_ID=PROJECT, HOME=str(tmp_path / 'home'))
    for name in ('SCW_CONFIG_PATH', 'SCW_PROFILE', 'SCWKMS_VARS_PLUGIN_DISABLED'):
        env.pop(name, None)
    env.update(environment)
    env = dict((name, value) for name, value in env.items() if value is not None)
    binary = shutil.which('ansible-playbook', path=os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', ''))
    done = subprocess.run([binary, '-vvvv', 'site.yml'], env=env, cwd=str(tmp_path), capture_output=True, text=True,
                          timeout=600, check=False)
    return done.returncode, done.stdout + done.stderr


@pytest.fixture
def keys(km_emulator):
    return (create_key(km_emulator, 'aes_256_gcm', name='playbook-vars')['id'],
            create_key(km_emulator, 'aes_256_gcm', name='playbook-lookup')['id'])


def decrypts_by_key(emulator):
    counts = {}
    for entry in emulator.requests():
        if entry['route'] == DECRYPT:
            key_id = entry['path'].split('/keys/')[1].split('/')[0]
            counts[key_id] = counts.get(key_id, 0) + 1
    return counts


def test_twenty_hosts_three_files_three_decrypts_and_no_plaintext_in_vvvv(km_emulator, keys, tmp_path):
    vars_key, lookup_key = keys
    inline = project(tmp_path, km_emulator, vars_key, lookup_key)
    km_emulator.clear_requests()
    playbook = PLAYBOOK.format(inline=inline, lookup_key=lookup_key, common=sha256(COMMON), trap_length=len(TRAP),
                               token=sha256(TOKEN), inline_hash=sha256(INLINE), web=sha256(WEB), host09=sha256(HOST09))
    returncode, output = run(tmp_path, playbook, km_emulator)
    assert returncode == 0, output[-6000:]
    assert output.count('All assertions passed') == 60
    assert decrypts_by_key(km_emulator) == {vars_key: 3, lookup_key: 2}
    assert_no_secret(output, COMMON, WEB, HOST09, TRAP, TOKEN, INLINE, '-not-templated', 'from-lookup', SECRET)


def test_the_switch_turns_the_plugin_off_and_a_missing_credential_names_the_file(km_emulator, keys, tmp_path):
    project(tmp_path, km_emulator, *keys)
    km_emulator.clear_requests()
    returncode, output = run(tmp_path, CHECK_DISABLED, km_emulator, SCWKMS_VARS_PLUGIN_DISABLED='true')
    assert returncode == 0, output[-6000:]
    assert km_emulator.requests() == []
    returncode, output = run(tmp_path, CHECK_DISABLED, km_emulator, SCW_SECRET_KEY=None)
    assert returncode != 0
    assert 'no Scaleway secret key found' in output
    assert os.path.join('group_vars', 'all', 'common.scwkms') in output
    assert_no_secret(output, COMMON, WEB, HOST09, TRAP)


def test_settings_from_ansible_cfg(km_emulator, keys, tmp_path):
    project(tmp_path, km_emulator, *keys)
    with open(tmp_path / 'ansible.cfg', 'a') as config:
        config.write('[scwkms_key_manager]\nvars_plugin_api_url = %s\nvars_plugin_stage = inventory\n' % km_emulator.url)
    km_emulator.clear_requests()
    returncode, output = run(tmp_path, CHECK_LOADED.format(length=len(COMMON)), km_emulator, SCW_API_URL=None)
    assert returncode == 0, output[-6000:]
    assert decrypts_by_key(km_emulator) == {keys[0]: 3}
