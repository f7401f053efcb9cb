# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The vault password client's commands, run in-process against the emulator: what each prints, writes,
requests and exits with, and that no password or secret key ever reaches stderr."""

from __future__ import annotations

import collections
import io
import os
import re

import pytest

from ansible_collections.scwkms.key_manager.plugins.plugin_utils._vault_client import main
from ansible_collections.scwkms.key_manager.tests.unit.plugins.plugin_utils.vault_support import (
    DECRYPT, ENCRYPT, aes_keys,
)
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import PROJECT, SECRET, api_calls, client_for
Run = collections.namedtuple('Run', 'code out err calls')


class Client:
    """The client's main() with the emulator's settings in its environment and a vault directory of its own."""

    def __init__(self, emulator, tmp_path):
        self.emulator, self.directory = emulator, tmp_path / 'vault'
        self.environ = {'SCW_API_URL': emulator.url, 'SCW_SECRET_KEY': SECRET, 'SCW_DEFAULT_PROJECT_ID': PROJECT,
                        'SCWKMS_VAULT_DIR': str(self.directory), 'XDG_CONFIG_HOME': str(tmp_path / 'xdg')}

    def __call__(self, *argv, stdin=b'', **environ):
        self.emulator.clear_requests()
        out, err = io.BytesIO(), io.BytesIO()
        code = main(list(argv), dict(self.environ, **environ), io.BytesIO(stdin), out, err)
        err_text = err.getvalue().decode()
        assert SECRET not in err_text and SECRET not in out.getvalue().decode()
        return Run(code, out.getvalue(), err_text, api_calls(self.emulator))

    def path(self, label):
        return self.directory / ('%s.scwkms' % label)


@pytest.fixture
def client(km_emulator, tmp_path):
    return Client(km_emulator, tmp_path)


@pytest.fixture
def keys(km_emulator):
    return list(aes_keys(km_emulator, 'vault', 'other').values())


def test_create_seals_a_random_password_that_get_prints_with_one_decrypt_request(client, keys):
    created = client('create', 'prod', '--key', 'vault')
    assert created.code == 0, created.err
    assert created.calls == {'GET /keys': 1, ENCRYPT: 1}
    assert 'label prod: a new random vault password sealed under key scw-kms://regions/fr-par/keys/%s' % keys[0] in (
        created.out.decode())
    got = client('--vault-id', 'prod')
    assert got.code == 0 and got.err == ''
    assert got.calls == {DECRYPT: 1}
    password = got.out[:-1]
    assert re.fullmatch(rb'[A-Za-z0-9_-]{43}', password) and got.out.endswith(b'\n')
    assert password not in client.path('prod').read_bytes()
    assert client('get', 'prod').out == got.out


def test_reading_a_password_needs_only_the_secret_key_not_a_project(client, keys):
    client('create', 'prod', '--key', 'vault')
    assert client('--vault-id', 'prod', SCW_DEFAULT_PROJECT_ID='').code == 0


def test_two_labels_get_two_different_passwords(client, keys):
    for label in ('a', 'b'):
        assert client('create', label, '--key', keys[0]).code == 0
    assert client('get', 'a').out != client('get', 'b').out


def test_import_seals_the_password_from_stdin_without_surrounding_whitespace(client, keys):
    imported = client('import', 'old', '--key', 'scw-kms://regions/fr-par/keys/%s' % keys[0],
                      stdin=b'  correct horse battery staple\r\n')
    assert imported.code == 0, imported.err
    assert imported.calls == {'GET /keys/{key_id}': 1, ENCRYPT: 1}
    assert client('--vault-id', 'old').out == b'correct horse battery staple\n'


def test_import_of_an_empty_stdin_writes_nothing(client, keys):
    run = client('import', 'old', '--key', 'vault', stdin=b' \n')
    assert (run.code, run.calls) == (1, {})
    assert "label 'old': no password on stdin; nothing written" in run.err
    assert not client.path('old').exists()


def test_show_names_the_key_of_each_label_without_any_request(client, keys):
    client('create', 'prod', '--key', 'vault')
    client('create', 'qa', '--key', 'other')
    shown = client('show')
    assert (shown.code, shown.calls) == (0, {})
    assert shown.out.decode().splitlines() == [
        'prod\tscw-kms://regions/fr-par/keys/%s\t%s' % (keys[0], client.path('prod')),
        'qa\tscw-kms://regions/fr-par/keys/%s\t%s' % (keys[1], client.path('qa'))]
    assert client('show', 'qa').out.decode().startswith('qa\tscw-kms://regions/fr-par/keys/%s' % keys[1])
    assert 'no sealed vault password in' in client('show', SCWKMS_VAULT_DIR=str(client.directory / 'none')).out.decode()


def test_create_never_replaces_a_label_silently_and_asks_nothing_of_the_api(client, keys):
    client('create', 'prod', '--key', 'vault')
    before = client.path('prod').read_text()
    again = client('create', 'prod', '--key', 'vault')
    assert (again.code, again.calls) == (1, {})
    assert "label 'prod' already has a vault password" in again.err and '--force' in again.err
    assert client.path('prod').read_text() == before
    forced = client('import', 'prod', '--key', 'vault', '--force', stdin=b'replacement\n')
    assert forced.code == 0
    assert client('get', 'prod').out == b'replacement\n'


def test_a_label_without_a_file_exits_2_naming_label_file_and_how_to_create_it(client):
    run = client('--vault-id', 'staging')
    assert (run.code, run.out, run.calls) == (2, b'', {})
    assert "no vault password for label 'staging': %s does not exist" % client.path('staging') in run.err
    assert 'directory from environment variable SCWKMS_VAULT_DIR' in run.err
    assert 'create staging --key <key>' in run.err


@pytest.mark.parametrize('label', ['../prod', '.hidden', 'a/b'])
def test_a_label_that_cannot_name_a_file_exits_2_and_reads_nothing_outside(client, keys, label):
    client('create', 'prod', '--key', 'vault')
    run = client('--vault-id', label)
    assert (run.code, run.out) == (2, b'')
    assert 'cannot name a sealed file' in run.err
    assert client('create', label, '--key', 'vault').code == 1


@pytest.mark.parametrize('argv', [[], ['--vault-id', 'a', 'get', 'a'], ['frobnicate'], ['create', 'prod'],
                                  ['--vault-id'], ['show', 'a', 'b']])
def test_usage_errors_exit_3_never_2_which_ansible_reads_as_no_secret(client, argv):
    run = client(*argv)
    assert run.code == 3
    assert run.err.startswith('scwkms-vault-client: ') and '--help' in run.err


def test_help_exits_0(client, capsys):
    assert client('--help').code == 0
    assert 'create' in capsys.readouterr().out


def test_rewrap_moves_the_same_password_under_another_key(client, keys):
    client('create', 'prod', '--key', 'vault')
    password = client('get', 'prod').out
    moved = client('rewrap', 'prod', '--key', 'other')
    assert moved.code == 0, moved.err
    assert moved.calls == {DECRYPT: 1, 'GET /keys': 1, ENCRYPT: 1}
    assert 'under key scw-kms://regions/fr-par/keys/%s' % keys[1] in moved.out.decode()
    assert 'it was under scw-kms://regions/fr-par/keys/%s' % keys[0] in moved.out.decode()
    assert client('show', 'prod').out.decode().split('\t')[1] == 'scw-kms://regions/fr-par/keys/%s' % keys[1]
    assert client('get', 'prod').out == password


def test_rewrap_without_key_follows_a_rotation_and_writes_nothing_otherwise(client, keys, km_emulator):
    client('create', 'prod', '--key', 'vault')
    before = client.path('prod').read_text()
    unchanged = client('rewrap', 'prod')
    assert (unchanged.code, unchanged.calls) == (0, {DECRYPT: 1})
    assert 'nothing written' in unchanged.out.decode() and client.path('prod').read_text() == before
    password = client('get', 'prod').out
    client_for(km_emulator).rotate_key(keys[0])
    rotated = client('rewrap', 'prod')
    assert (rotated.code, rotated.calls) == (0, {DECRYPT: 1})
    assert 're-encrypted under the newest rotation of key scw-kms://regions/fr-par/keys/%s' % keys[0] in (
        rotated.out.decode())
    after = client.path('prod').read_text()
    assert after != before and after.splitlines()[:4] == before.splitlines()[:4]  # header, comment, version, key
    assert client('get', 'prod').out == password


def assert_failed_naming(run, label, path, *words):
    assert (run.code, run.out) == (1, b'')
    assert run.err.startswith("scwkms-vault-client: label %r (%s): " % (label, path)), run.err
    for word in words:
        assert word in run.err


def test_a_file_copied_to_another_label_does_not_decrypt(client, keys):
    client('create', 'prod', '--key', 'vault')
    password = client('get', 'prod').out.strip().decode()
    client.path('qa').write_text(client.path('prod').read_text())
    run = client('--vault-id', 'qa')
    assert_failed_naming(run, 'qa', client.path('qa'), keys[0])
    assert password not in run.err


def test_a_file_naming_another_key_than_its_ciphertext_s_fails_clearly(client, keys):
    client('create', 'prod', '--key', 'vault')
    password = client('get', 'prod').out.strip().decode()
    client.path('prod').write_text(client.path('prod').read_text().replace(keys[0], keys[1]))
    run = client('get', 'prod')
    assert_failed_naming(run, 'prod', client.path('prod'), keys[1])
    assert run.calls.get(DECRYPT) == 1
    assert password not in run.err


def test_a_disabled_key_fails_naming_the_label_and_the_key(client, keys, km_emulator):
    client('create', 'prod', '--key', 'vault')
    client_for(km_emulator).disable_key(keys[0])
    run = client('--vault-id', 'prod')
    assert_failed_naming(run, 'prod', client.path('prod'), keys[0], 'disabled')


@pytest.mark.parametrize('cut', [0.5, 0.9])
def test_a_truncated_file_fails_naming_it(client, keys, cut):
    client('create', 'prod', '--key', 'vault')
    text = client.path('prod').read_text()
    client.path('prod').write_text(text[:int(len(text) * cut)])
    run = client('get', 'prod')
    assert (run.code, run.out) == (1, b'')
    assert str(client.path('prod')) in run.err and "label 'prod'" in run.err


def test_a_missing_credential_fails_before_any_request_naming_the_label(client, keys):
    client('create', 'prod', '--key', 'vault')
    run = client('--vault-id', 'prod', SCW_SECRET_KEY='')
    assert_failed_naming(run, 'prod', client.path('prod'), 'no Scaleway secret key found', 'SCW_SECRET_KEY')
    assert run.calls == {}


def test_a_bad_secret_key_is_never_echoed(client, keys):
    client('create', 'prod', '--key', 'vault')
    run = client('--vault-id', 'prod', SCW_SECRET_KEY='not-a-uuid-but-a-secret')
    assert run.code == 1 and 'not-a-uuid-but-a-secret' not in run.err and 'SCW_SECRET_KEY' in run.err


def test_an_unknown_key_for_create_fails_and_writes_nothing(client):
    run = client('create', 'prod', '--key', 'no-such-key')
    assert run.code == 1 and "label 'prod'" in run.err and 'no-such-key' in run.err
    assert not client.path('prod').exists()


def test_the_vault_directory_comes_from_ansible_cfg_when_nothing_else_is_set(client, keys, tmp_path):
    config = tmp_path / 'project' / 'ansible.cfg'
    config.parent.mkdir()
    config.write_text('[scwkms_vault_client]\ndir = ids\n')
    environ = {'SCWKMS_VAULT_DIR': '', 'ANSIBLE_CONFIG': str(config)}
    assert client('create', 'prod', '--key', 'vault', **environ).code == 0
    assert os.path.isfile(tmp_path / 'project' / 'ids' / 'prod.scwkms')
    assert client('get', 'prod', **environ).code == 0


def test_the_script_is_one_ansible_core_runs_as_a_client_script():
    from ansible.parsing.vault import script_is_client
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'scripts',
                          'scwkms-vault-client.py')
    assert script_is_client(script) and os.access(script, os.X_OK)
    with open(script, 'rb') as handle:
        assert handle.readline() == b'#!/usr/bin/env python\n'  # the only python shebang ansible-test accepts here


class Terminal(io.BytesIO):
    def isatty(self):
        return True


@pytest.mark.parametrize('answers, code', [(['typed-Pa55', 'typed-Pa55'], 0), (['typed-Pa55', 'typo-Pa55'], 1)])
def test_import_on_a_terminal_asks_twice_and_writes_only_when_both_agree(client, keys, monkeypatch, answers, code):
    asked = list(answers)
    monkeypatch.setattr('getpass.getpass', lambda prompt: asked.pop(0))
    out, err = io.BytesIO(), io.BytesIO()
    assert main(['import', 'tty', '--key', 'vault'], client.environ, Terminal(), out, err) == code
    assert 'typ' not in err.getvalue().decode()
    assert client.path('tty').exists() == (code == 0)
    if code == 0:
        assert client('get', 'tty').out == b'typed-Pa55\n'
    else:
        assert 'the two passwords differ; nothing written' in err.getvalue().decode()


def test_show_of_a_label_without_a_file_exits_2(client):
    run = client('show', 'nothing')
    assert run.code == 2 and "no vault password for label 'nothing'" in run.err


def test_a_label_sealed_in_another_region_is_read_there_whatever_the_default_region(client, km_emulator):
    key = client_for(km_emulator).create_key(name='vault-ams', algorithm='aes_256_gcm', protected=False,
                                             region='nl-ams')['id']
    uri = 'scw-kms://regions/nl-ams/keys/%s' % key
    assert client('import', 'ams', '--key', uri, stdin=b'amsterdam-Pa55').code == 0
    assert client('show', 'ams').out.decode().split('\t')[1] == uri
    got = client('--vault-id', 'ams', SCW_DEFAULT_REGION='fr-par')
    assert got.out == b'amsterdam-Pa55\n'
    assert [entry['path'] for entry in km_emulator.requests()] == [
        '/key-manager/v1alpha1/regions/nl-ams/keys/%s/decrypt' % key]


@pytest.mark.parametrize('where', ['before', 'after'])
def test_dir_is_taken_before_or_after_the_command(client, keys, tmp_path, where):
    other = str(tmp_path / 'elsewhere')
    argv = ['create', 'prod', '--key', 'vault']
    assert client(*(['--dir', other] + argv if where == 'before' else argv + ['--dir', other])).code == 0
    assert os.path.isfile(os.path.join(other, 'prod.scwkms')) and not client.path('prod').exists()
    shown = client('show', '--dir', other) if where == 'after' else client('--dir', other, 'show')
    assert shown.out.decode().startswith('prod\t')
