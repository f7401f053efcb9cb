# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where the vault password client keeps its sealed files: the directory's sources, labels, atomic writes."""

from __future__ import annotations

import os

import pytest

from ansible_collections.scwkms.key_manager.plugins.plugin_utils import _vault_store as store


def ini(path, text):
    path.write_text(text)
    return str(path)


def test_the_option_beats_the_environment_which_beats_ansible_cfg(tmp_path):
    ini(tmp_path / 'ansible.cfg', '[scwkms_vault_client]\ndir = from-ini\n')
    environ = {store.DIR_ENV: 'from-env'}
    assert store.resolve_dir('from-option', environ, str(tmp_path)) == (str(tmp_path / 'from-option'), 'option --dir')
    assert store.resolve_dir(None, environ, str(tmp_path)) == (
        str(tmp_path / 'from-env'), 'environment variable SCWKMS_VAULT_DIR')
    directory, origin = store.resolve_dir(None, {}, str(tmp_path))
    assert directory == str(tmp_path / 'from-ini')
    assert origin == '[scwkms_vault_client] dir in %s' % (tmp_path / 'ansible.cfg')


def test_a_relative_ini_dir_is_relative_to_the_ansible_cfg_that_names_it(tmp_path):
    project, elsewhere = tmp_path / 'project', tmp_path / 'elsewhere'
    project.mkdir()
    elsewhere.mkdir()
    config = ini(project / 'settings.cfg', '[defaults]\nforks = 5\n\n[scwkms_vault_client]\ndir = secrets/vault ; ids\n')
    directory, _origin = store.resolve_dir(None, {'ANSIBLE_CONFIG': config}, str(elsewhere))
    assert directory == str(project / 'secrets' / 'vault')


def test_ansible_config_may_name_a_directory_holding_ansible_cfg(tmp_path):
    ini(tmp_path / 'ansible.cfg', '[scwkms_vault_client]\ndir = /srv/vault\n')
    cwd = tmp_path / 'cwd'
    cwd.mkdir()
    assert store.resolve_dir(None, {'ANSIBLE_CONFIG': str(tmp_path)}, str(cwd))[0] == '/srv/vault'


def test_ansible_config_wins_over_the_current_directory_as_in_ansible_core(tmp_path):
    chosen = ini(tmp_path / 'chosen.cfg', '[scwkms_vault_client]\ndir = /chosen\n')
    ini(tmp_path / 'ansible.cfg', '[scwkms_vault_client]\ndir = /local\n')
    assert store.resolve_dir(None, {'ANSIBLE_CONFIG': chosen}, str(tmp_path))[0] == '/chosen'


def test_an_ansible_cfg_in_a_world_writable_directory_is_ignored_as_ansible_core_does(tmp_path):
    ini(tmp_path / 'ansible.cfg', '[scwkms_vault_client]\ndir = /planted\n')
    os.chmod(tmp_path, 0o777)
    try:
        directory, origin = store.resolve_dir(None, {'HOME': str(tmp_path / 'nohome')}, str(tmp_path))
    finally:
        os.chmod(tmp_path, 0o700)
    assert directory != '/planted'
    assert 'planted' not in origin


def test_without_any_setting_the_default_is_scwkms_vault_in_the_current_directory(tmp_path):
    ini(tmp_path / 'ansible.cfg', '[defaults]\nforks = 5\n')
    assert store.resolve_dir(None, {store.DIR_ENV: '  '}, str(tmp_path)) == (
        str(tmp_path / 'scwkms_vault'), 'the default')


def test_an_unreadable_ansible_cfg_is_an_error_naming_it(tmp_path):
    config = ini(tmp_path / 'broken.cfg', 'no section header\n')
    with pytest.raises(store.StoreError, match='broken.cfg'):
        store.resolve_dir(None, {'ANSIBLE_CONFIG': config}, str(tmp_path))


@pytest.mark.parametrize('label', ['', '..', '.hidden', 'a/b', '../prod', 'pr od', 'é', 'x' * 129, 'a\nb'])
def test_labels_that_cannot_name_a_file_are_refused(label):
    with pytest.raises(store.BadLabel, match='cannot name a sealed file'):
        store.label_path('/d', label)


@pytest.mark.parametrize('label', ['prod', 'default', 'team_a.2026-11', '0', 'x' * 128])
def test_ordinary_labels_name_a_file_in_the_directory(label):
    assert store.label_path('/d', label) == '/d/%s.scwkms' % label


def test_associated_data_differs_for_every_label():
    assert store.associated_data('prod') == b'scwkms.key_manager vault-client label=prod'
    assert store.associated_data('prod') != store.associated_data('prod2')


def test_write_creates_the_directory_and_refuses_to_replace_a_label_unless_asked(tmp_path):
    directory = str(tmp_path / 'new' / 'vault')
    path = store.write(directory, 'prod', 'first\n')
    assert open(path, encoding='utf-8').read() == 'first\n'
    assert os.stat(path).st_mode & 0o777 == 0o644
    with pytest.raises(store.StoreError, match="label 'prod' already has a vault password.*--force"):
        store.write(directory, 'prod', 'second\n')
    with pytest.raises(store.StoreError, match='--force'):
        store.refuse_existing(directory, 'prod')
    store.write(directory, 'prod', 'second\n', replace=True)
    assert store.read(directory, 'prod') == 'second\n'
    assert os.listdir(directory) == ['prod.scwkms']  # no temporary file left behind


def test_read_of_a_label_without_a_file_is_no_secret_naming_label_and_path(tmp_path):
    with pytest.raises(store.NoSecret, match="no vault password for label 'qa': .*qa.scwkms does not exist"):
        store.read(str(tmp_path), 'qa')


def test_labels_lists_sealed_files_only(tmp_path):
    for name in ('b.scwkms', 'a.scwkms', 'notes.txt', '.a.x.tmp', '.hidden.scwkms'):
        (tmp_path / name).write_text('')
    assert store.labels(str(tmp_path)) == ['a', 'b']
    assert store.labels(str(tmp_path / 'missing')) == []
