# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The scwkms vars plugin in this process: which files, one decrypt per file, the switch, errors."""

from __future__ import annotations

import base64
import uuid

import pytest
from ansible.errors import AnsibleParserError
from ansible.inventory.group import Group
from ansible.inventory.host import Host
from ansible.parsing.dataloader import DataLoader

from ansible_collections.scwkms.key_manager.plugins.module_utils import _sealed_file
from ansible_collections.scwkms.key_manager.plugins.vars import scwkms
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import SECRET, client_for, create_key
from ansible_collections.scwkms.key_manager.tests.unit.plugins.vars.vars_support import sealed_vars, write_vars_file

pytest.importorskip('scwkms_emulator')

DECRYPT = 'POST /keys/{key_id}/decrypt'
OPTIONS = dict(suffixes=['.scwkms'], disabled=False, access_key=None, secret_key=None, project_id=None,
               organization_id=None, region=None, api_url=None, profile=None, config_file=None, timeout=30.0,
               max_retries=0, retry_deadline=20.0, validate_certs=True)


@pytest.fixture
def plugin(km_emulator, monkeypatch, tmp_path):
    """A plugin reading options as ansible-core would give their defaults, credentials from SCW_*."""
    monkeypatch.setattr(scwkms, 'DECRYPTED', {})
    monkeypatch.setenv('SCW_API_URL', km_emulator.url)
    monkeypatch.setenv('SCW_SECRET_KEY', SECRET)
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    for name in ('SCW_CONFIG_PATH', 'SCW_PROFILE', 'XDG_CONFIG_HOME', 'SCW_DEFAULT_REGION', 'SCW_ACCESS_KEY'):
        monkeypatch.delenv(name, raising=False)
    instance = scwkms.VarsModule()
    instance.options = dict(OPTIONS)
    monkeypatch.setattr(instance, 'get_option', lambda name, hostvars=None: instance.options[name])
    return instance


@pytest.fixture
def key(km_emulator):
    return create_key(km_emulator, 'aes_256_gcm', name='vars-plugin')['id']


def decrypts(km_emulator):
    return sum(1 for entry in km_emulator.requests() if entry['route'] == DECRYPT)


def load(plugin, tmp_path, *entities):
    return plugin.get_vars(DataLoader(), str(tmp_path), list(entities))


def test_file_and_directory_forms_decrypted_once_per_file(plugin, km_emulator, key, tmp_path):
    write_vars_file(km_emulator, tmp_path / 'group_vars' / 'all' / 'a.scwkms', key, {'common': 1, 'shared': 'all'})
    write_vars_file(km_emulator, tmp_path / 'group_vars' / 'all' / 'nested' / 'b.scwkms', key, {'nested': True})
    write_vars_file(km_emulator, tmp_path / 'group_vars' / 'web.scwkms', key, {'shared': 'web', 'web': 'x'})
    write_vars_file(km_emulator, tmp_path / 'host_vars' / 'h1.scwkms', key, {'shared': 'h1'}, envelope='always')
    (tmp_path / 'group_vars' / 'all' / 'plain.yml').write_text('plain: 1\n')
    (tmp_path / 'group_vars' / 'all' / '.hidden.scwkms').write_text('ignored')
    km_emulator.clear_requests()
    hosts = [Host('h%d' % number) for number in range(10)]
    for _round in range(3):
        assert load(plugin, tmp_path, Group('all')) == {'common': 1, 'shared': 'all', 'nested': True}
        both = {'common': 1, 'shared': 'web', 'web': 'x', 'nested': True}
        assert load(plugin, tmp_path, Group('all'), Group('web')) == both
        assert [load(plugin, tmp_path, host) for host in hosts] == [{}, {'shared': 'h1'}] + [{}] * 8
    assert decrypts(km_emulator) == 4


def test_a_changed_file_is_decrypted_again(plugin, km_emulator, key, tmp_path):
    path = write_vars_file(km_emulator, tmp_path / 'group_vars' / 'all.scwkms', key, {'version': 1})
    assert load(plugin, tmp_path, Group('all')) == {'version': 1}
    write_vars_file(km_emulator, path, key, {'version': 2, 'more': 'x' * 40})
    assert load(plugin, tmp_path, Group('all')) == {'version': 2, 'more': 'x' * 40}


def test_disabled_reads_nothing(plugin, km_emulator, key, tmp_path):
    write_vars_file(km_emulator, tmp_path / 'group_vars' / 'all.scwkms', key, {'version': 1})
    km_emulator.clear_requests()
    plugin.options.update(disabled=True)
    assert load(plugin, tmp_path, Group('all')) == {}
    assert km_emulator.requests() == []


def failure(plugin, tmp_path, entity=None):
    with pytest.raises(AnsibleParserError) as caught:
        load(plugin, tmp_path, entity or Group('all'))
    return str(caught.value)


def test_bad_files_fail_naming_the_file_and_never_a_value(plugin, km_emulator, key, tmp_path, monkeypatch):
    secret = 'hunter2-is-the-db-password'
    path = tmp_path / 'group_vars' / 'all.scwkms'
    other = create_key(km_emulator, 'aes_256_gcm', name='vars-plugin-other')['id']
    sealed = _sealed_file.load(sealed_vars(km_emulator, key, {'db': secret}, envelope='always'), 'x')
    path.parent.mkdir()
    path.write_text(_sealed_file.dump(_sealed_file.key_uri(other, 'fr-par'), sealed.ciphertext))
    assert str(path) in failure(plugin, tmp_path) and other in failure(plugin, tmp_path)
    path.write_text(_sealed_file.dump(_sealed_file.key_uri(key, 'fr-par'), sealed.ciphertext[:-7]))
    message = failure(plugin, tmp_path)
    assert str(path) in message and secret not in message
    write_vars_file(km_emulator, path, key, {'db': secret})
    client_for(km_emulator).disable_key(key)
    message = failure(plugin, tmp_path)
    assert str(path) in message and 'disabled' in message and secret not in message
    monkeypatch.delenv('SCW_SECRET_KEY')
    message = failure(plugin, tmp_path)
    assert str(path) in message and 'no Scaleway secret key found' in message


def test_content_that_is_not_a_mapping_is_refused_without_quoting_it(plugin, km_emulator, key, tmp_path):
    from ansible_collections.scwkms.key_manager.plugins.module_utils._sealing import seal
    from ansible_collections.scwkms.key_manager.plugins.module_utils._target import Target
    path = tmp_path / 'group_vars' / 'all.scwkms'
    path.parent.mkdir()
    for plaintext, reason in ((b'db: [hunter2-secret\n', 'not valid YAML at line 2'),
                              (b'- hunter2-secret\n', 'must be a YAML mapping')):
        ciphertext = seal(client_for(km_emulator), Target(key, 'fr-par', None, key), plaintext).ciphertext
        path.write_text(_sealed_file.dump(_sealed_file.key_uri(key, 'fr-par'), ciphertext))
        scwkms.DECRYPTED.clear()
        message = failure(plugin, tmp_path)
        assert reason in message and str(path) in message and 'hunter2' not in message, message


def test_a_host_named_like_a_path_and_no_directories_read_nothing(plugin, tmp_path):
    assert load(plugin, tmp_path, Host('/srv/chroot')) == {}
    assert load(plugin, tmp_path, Group('all')) == {}


def test_unknown_key_in_file_is_explained(plugin, km_emulator, tmp_path):
    missing = str(uuid.uuid4())
    path = tmp_path / 'host_vars' / 'h1.scwkms'
    path.parent.mkdir()
    path.write_text(_sealed_file.dump(_sealed_file.key_uri(missing, 'fr-par'), base64.b64decode('AQIDBA==')))
    message = failure(plugin, tmp_path, Host('h1'))
    assert str(path) in message and missing in message
