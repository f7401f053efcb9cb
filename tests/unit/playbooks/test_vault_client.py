# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scripts/scwkms-vault-client.py driven by the real ansible-vault and ansible-playbook against the emulator:
encrypt with --vault-id prod@<client>, a play reading the file, a rekey to a new label, one /decrypt request
per label per command (from the emulator's request log), and each bad case a clear error with no secret."""

from __future__ import annotations

import collections
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from ansible_collections.scwkms.key_manager.tests.unit.plugins.plugin_utils.vault_support import DECRYPT, aes_keys
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import PROJECT, SECRET, client_for

ROOT = pathlib.Path(os.path.abspath(__file__)).parents[3]
SCRIPT = str(ROOT / 'scripts' / 'scwkms-vault-client.py')
DB_PASSWORD = 'db-password-7c1e-never-printed'
PLAY = """- hosts: localhost
  connection: local
  gather_facts: false
  vars_files: [secret.yml]
  tasks:
    - name: The vaulted variable is there
      ansible.builtin.assert:
        that: db_password == "%s"
        quiet: true
""" % DB_PASSWORD
Result = collections.namedtuple('Result', 'code output decrypts')


class Project:
    """A playbook directory, a vault directory, and the commands run in it with the emulator as Key Manager."""

    def __init__(self, emulator, tmp_path):
        self.emulator, self.dir = emulator, tmp_path / 'project'
        self.dir.mkdir()
        (self.dir / 'play.yml').write_text(PLAY)
        (self.dir / 'secret.yml').write_text('db_password: %s\n' % DB_PASSWORD)
        home = tmp_path / 'home'
        home.mkdir()
        bin_dir = os.path.dirname(sys.executable)  # the shebang's `python`, and the ansible commands
        self.env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get('PATH', ''), HOME=str(home),
                        XDG_CONFIG_HOME=str(home / '.config'), SCW_API_URL=emulator.url, SCW_SECRET_KEY=SECRET,
                        SCW_DEFAULT_PROJECT_ID=PROJECT, SCWKMS_VAULT_DIR=str(tmp_path / 'vault'),
                        ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_INVENTORY_UNPARSED_WARNING='0')
        for name in ('ANSIBLE_CONFIG', 'SCW_PROFILE', 'SCW_CONFIG_PATH', 'SCW_ACCESS_KEY'):
            self.env.pop(name, None)
        self.passwords = []

    def run(self, *command, **environ):
        """(exit code, stdout + stderr, /decrypt requests per key id) of one command."""
        self.emulator.clear_requests()
        binary = shutil.which(command[0], path=self.env['PATH']) if not command[0].startswith('/') else command[0]
        done = subprocess.run([binary, *command[1:]], env=dict(self.env, **environ), cwd=str(self.dir),
                              capture_output=True, text=True, timeout=300, check=False)
        decrypts = collections.Counter(entry['path'].split('/')[-2] for entry in self.emulator.requests()
                                       if entry['route'] == DECRYPT)
        output = done.stdout + done.stderr
        for secret in [SECRET] + self.passwords:
            assert secret not in output, 'a secret reached the output of %s' % (command,)
        return Result(done.returncode, output, dict(decrypts))

    def client(self, *argv, **environ):
        return self.run(SCRIPT, *argv, **environ)

    def password(self, label, **environ):
        """The label's password, remembered so that every later command checks its output for it."""
        done = subprocess.run([SCRIPT, '--vault-id', label], env=dict(self.env, **environ), cwd=str(self.dir),
                              capture_output=True, check=True)
        self.passwords.append(done.stdout.decode().strip())
        return self.passwords[-1]


@pytest.fixture
def project(km_emulator, tmp_path):
    return Project(km_emulator, tmp_path)


@pytest.fixture
def keys(km_emulator):
    return aes_keys(km_emulator, 'vault-prod', 'vault-next')


def vault_id(label):
    return '%s@%s' % (label, SCRIPT)


def test_encrypt_play_and_rekey_to_a_new_label_with_one_decrypt_per_label_per_command(project, keys):
    assert project.client('create', 'prod', '--key', 'vault-prod').code == 0
    assert project.client('create', 'next', '--key', keys['vault-next']).code == 0
    project.password('prod')
    project.password('next')

    encrypted = project.run('ansible-vault', 'encrypt', '--vault-id', vault_id('prod'), 'secret.yml')
    assert encrypted.code == 0, encrypted.output
    assert encrypted.decrypts == {keys['vault-prod']: 1}
    assert (project.dir / 'secret.yml').read_text().startswith('$ANSIBLE_VAULT;1.2;AES256;prod\n')
    assert DB_PASSWORD not in (project.dir / 'secret.yml').read_text()

    played = project.run('ansible-playbook', '-vvvv', '--vault-id', vault_id('prod'), 'play.yml')
    assert played.code == 0, played.output[-3000:]
    assert played.decrypts == {keys['vault-prod']: 1}
    assert 'ok=1' in played.output and DB_PASSWORD not in played.output

    rekeyed = project.run('ansible-vault', 'rekey', '--vault-id', vault_id('prod'), '--new-vault-id', vault_id('next'),
                          'secret.yml')
    assert rekeyed.code == 0, rekeyed.output
    assert rekeyed.decrypts == {keys['vault-prod']: 1, keys['vault-next']: 1}
    assert (project.dir / 'secret.yml').read_text().startswith('$ANSIBLE_VAULT;1.2;AES256;next\n')

    played = project.run('ansible-playbook', '--vault-id', vault_id('next'), 'play.yml')
    assert played.code == 0, played.output[-3000:]
    assert played.decrypts == {keys['vault-next']: 1}
    old = project.run('ansible-vault', 'view', '--vault-id', vault_id('prod'), 'secret.yml')
    assert old.code != 0 and 'Decryption failed' in old.output


def test_ansible_cfg_alone_names_the_client_and_the_directory(project, keys):
    (project.dir / 'ansible.cfg').write_text('[defaults]\nvault_identity_list = prod@%s\n\n'
                                             '[scwkms_vault_client]\ndir = vault-ids\n' % SCRIPT)
    environ = {'SCWKMS_VAULT_DIR': ''}
    assert project.client('create', 'prod', '--key', 'vault-prod', **environ).code == 0
    assert (project.dir / 'vault-ids' / 'prod.scwkms').is_file()
    project.password('prod', **environ)
    assert project.run('ansible-vault', 'encrypt', 'secret.yml', **environ).code == 0
    played = project.run('ansible-playbook', 'play.yml', **environ)
    assert played.code == 0, played.output[-3000:]
    assert played.decrypts == {keys['vault-prod']: 1}


def test_vault_password_file_form_asks_for_the_default_label(project, keys):
    assert project.client('create', 'default', '--key', 'vault-prod').code == 0
    project.password('default')
    assert project.run('ansible-vault', 'encrypt', '--vault-password-file', SCRIPT, 'secret.yml').code == 0
    played = project.run('ansible-playbook', '--vault-password-file', SCRIPT, 'play.yml')
    assert played.code == 0, played.output[-3000:]


def test_a_symlink_to_the_client_elsewhere_still_loads_its_own_collection(project, keys, tmp_path):
    link = tmp_path / 'bin' / 'team-vault-client'
    link.parent.mkdir()
    link.symlink_to(SCRIPT)
    assert project.client('create', 'prod', '--key', 'vault-prod').code == 0
    project.password('prod')
    assert project.run('ansible-vault', 'encrypt', '--vault-id', 'prod@%s' % link, 'secret.yml').code == 0
    assert project.run('ansible-playbook', '--vault-id', 'prod@%s' % link, 'play.yml').code == 0


def test_a_label_with_no_file_is_reported_by_ansible_naming_the_label_and_file(project, keys):
    assert project.client('create', 'prod', '--key', 'vault-prod').code == 0
    project.password('prod')
    assert project.run('ansible-vault', 'encrypt', '--vault-id', vault_id('prod'), 'secret.yml').code == 0
    run = project.run('ansible-playbook', '--vault-id', vault_id('staging'), 'play.yml')
    assert run.code != 0
    assert 'did not find a secret for vault-id=staging' in run.output
    assert 'staging.scwkms does not exist' in run.output and run.decrypts == {}


def spoil_disabled(project, keys, km_emulator):
    client_for(km_emulator).disable_key(keys['vault-prod'])
    return ['is disabled']


def spoil_other_key(project, keys, km_emulator):
    path = pathlib.Path(project.env['SCWKMS_VAULT_DIR']) / 'prod.scwkms'
    path.write_text(path.read_text().replace(keys['vault-prod'], keys['vault-next']))
    return ['does not decrypt with key %s' % keys['vault-next']]


def spoil_truncated(project, keys, km_emulator):
    path = pathlib.Path(project.env['SCWKMS_VAULT_DIR']) / 'prod.scwkms'
    path.write_text(path.read_text()[:-30])
    return ['does not decrypt']


def spoil_credential(project, keys, km_emulator):
    project.env['SCW_SECRET_KEY'] = ''
    return ['no Scaleway secret key found']


@pytest.mark.parametrize('spoil', [spoil_disabled, spoil_other_key, spoil_truncated, spoil_credential])
def test_each_bad_case_is_a_clear_error_naming_label_and_file_with_no_secret(project, keys, km_emulator, spoil):
    assert project.client('create', 'prod', '--key', 'vault-prod').code == 0
    project.password('prod')
    assert project.run('ansible-vault', 'encrypt', '--vault-id', vault_id('prod'), 'secret.yml').code == 0
    words = spoil(project, keys, km_emulator)
    run = project.run('ansible-playbook', '-vvvv', '--vault-id', vault_id('prod'), 'play.yml')
    assert run.code != 0
    assert "label 'prod' (%s" % os.path.join(project.env['SCWKMS_VAULT_DIR'], 'prod.scwkms') in run.output
    for word in words:
        assert word in run.output, run.output[-3000:]
    assert DB_PASSWORD not in run.output
