# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The scwkms_public_key lookup: formats, errors, per-call dedup, the disk cache, and a many-host play."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest
import yaml
from ansible.errors import AnsibleLookupError

from ansible_collections.scwkms.key_manager.plugins.lookup import scwkms_public_key
from ansible_collections.scwkms.key_manager.plugins.module_utils import _client
from ansible_collections.scwkms.key_manager.plugins.module_utils._pem import parse_public_key
from ansible_collections.scwkms.key_manager.plugins.plugin_utils import _public_key_cache
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import (
    LIST, PROJECT, PUBLIC_KEY, SECRET, api_calls, client_for, create_key, lookup_with_options,
)

pytest.importorskip('scwkms_emulator')

# The documented defaults of the lookup's own options, and of the connection options it is given here.
OWN_DEFAULTS = dict((name, spec.get('default')) for name, spec in yaml.safe_load(scwkms_public_key.DOCUMENTATION)['options'].items()
                    if name != '_terms')
DEFAULTS = dict(OWN_DEFAULTS, access_key=None, organization_id=None, profile=None, config_file=None,
                timeout=30.0, max_retries=0, retry_deadline=60.0, validate_certs=True)
OTHER_SECRET = '6b0f63c4-6f7b-4a39-9f5c-2f1d6c9b0a11'


@pytest.fixture
def lookup(km_emulator, tmp_path, monkeypatch):
    """Run the lookup as Ansible would, with options set directly (the option plumbing itself is
    exercised by the playbook test below). The options' defaults are the documented ones; each test is
    one playbook run (run.new_run() starts another) with its own per-run directory, and HOME is private."""
    warnings = []
    monkeypatch.setattr(scwkms_public_key.display, 'warning', warnings.append)
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    runs = [str(tmp_path / 'run0')]
    monkeypatch.setattr(_public_key_cache, 'run_directory', lambda: runs[-1], raising=False)

    def run(*terms, **options):
        return lookup_with_options(scwkms_public_key, DEFAULTS, km_emulator, **options).run(list(terms), variables={})

    def new_run():
        runs.append(str(tmp_path / ('run%d' % len(runs))))
    run.warnings = warnings
    run.new_run = new_run
    run.run_directory = lambda: os.path.join(runs[-1], 'scwkms_public_keys')
    return run


def test_formats(km_emulator, lookup):
    key = create_key(km_emulator, 'ec_p256_sha256', name='lk-ec')
    pem, = lookup(key['id'])
    info = parse_public_key(pem)
    assert pem.startswith('-----BEGIN PUBLIC KEY-----\n') and info.curve == 'P-256'
    assert lookup(key['id'], format='der') == [info.der_b64]
    assert lookup(key['id'], format='openssh') == [info.openssh]
    jwk, = lookup(key['id'], format='jwk')
    assert jwk == dict(info.jwk, alg='ES256', use='sig')
    details, = lookup(key['id'], format='info')
    assert details['kms_uri'] == 'scwkms:key-id=%s;region=fr-par' % key['id']
    assert details['pem_original'].startswith('-----BEGIN EC PUBLIC KEY-----')
    assert details['algorithm'] == 'ec_p256_sha256' and details['fingerprint_sha256'] == info.fingerprint_sha256
    json.dumps(details)


def test_rsa_jwk_has_alg_only_when_the_key_was_read_by_name(km_emulator, lookup):
    key = create_key(km_emulator, 'rsa_pkcs1_2048_sha256', name='lk-rsa')
    by_id, = lookup(key['id'], format='jwk')
    by_name, = lookup('lk-rsa', format='jwk')
    assert 'alg' not in by_id and by_name['alg'] == 'RS256' and by_name['kid'] == by_id['kid']


def test_same_key_twice_in_one_call_is_fetched_once(km_emulator, lookup):
    key = create_key(km_emulator, 'ec_p384_sha384', name='lk-twice')
    km_emulator.clear_requests()
    results = lookup(key['id'], 'scwkms:key-id=%s;region=fr-par' % key['id'], 'scw-kms://regions/fr-par/keys/%s' % key['id'],
                     'lk-twice', 'lk-twice', cache=False)
    assert len(set(results)) == 1 and len(results) == 5
    assert api_calls(km_emulator) == {PUBLIC_KEY: 1, LIST: 1}


def test_cache_across_calls_and_off_switch(km_emulator, lookup):
    first = create_key(km_emulator, 'ec_p256_sha256', name='lk-a')
    second = create_key(km_emulator, 'rsa_pss_2048_sha256', name='lk-b')
    km_emulator.clear_requests()
    for _host in range(20):
        lookup(first['id'], 'lk-b')
    assert api_calls(km_emulator) == {PUBLIC_KEY: 2, LIST: 1}
    km_emulator.clear_requests()
    for _host in range(3):
        lookup(first['id'], second['id'], cache=False)
    assert api_calls(km_emulator) == {PUBLIC_KEY: 6}
    km_emulator.clear_requests()
    lookup.new_run()
    lookup(first['id'])
    assert api_calls(km_emulator) == {PUBLIC_KEY: 1}


def test_errors(km_emulator, lookup):
    aes = create_key(km_emulator, 'aes_256_gcm', name='lk-aes')
    mldsa = create_key(km_emulator, 'ml_dsa_44')
    cases = [
        ((aes['id'],), {}, 'scwkms_public_key: key %s (lk-aes) is a symmetric key (aes_256_gcm): it has no public key '
                           '(Key Manager answered HTTP 412 precondition_failed)' % aes['id']),
        (('00000000-0000-4000-8000-000000000000',), {},
         'scwkms_public_key: key 00000000-0000-4000-8000-000000000000 does not exist in region fr-par'),
        (('nothing-here',), {}, "scwkms_public_key: no key named 'nothing-here' in project %s, region fr-par" % PROJECT),
        (('scw-kms://regions/mars/keys/x',), {}, 'scwkms_public_key: key: '),
        ((mldsa['id'],), {'format': 'jwk'}, 'scwkms_public_key: an ML-DSA-44 public key has no JWK form'),
        ((mldsa['id'],), {'format': 'openssh'}, 'scwkms_public_key: an ML-DSA-44 public key has no OpenSSH form'),
        (('x',), {'secret_key': 'nope'}, 'scwkms_public_key: secret_key: the secret key from option secret_key is not a UUID'),
    ]
    for terms, options, message in cases:
        with pytest.raises(AnsibleLookupError) as error:
            lookup(*terms, **options)
        assert str(error.value).startswith(message), str(error.value)


def test_api_errors_are_lookup_errors(km_emulator, lookup):
    key = create_key(km_emulator, 'ec_p256_sha256')
    km_emulator.set_faults([{'type': 'error', 'route': 'GET /keys/{key_id}/public-key', 'status': 503, 'rate': 1.0}])
    try:
        with pytest.raises(AnsibleLookupError, match='scwkms_public_key: Key Manager API call failed: GET .*/public-key: HTTP 503'):
            lookup(key['id'], cache=False)
    finally:
        km_emulator.clear_faults()


def test_on_missing(km_emulator, lookup):
    key = create_key(km_emulator, 'ec_p256_sha256')
    missing = '00000000-0000-4000-8000-000000000000'
    assert len(lookup(missing, key['id'], on_missing='skip')) == 1
    assert len(lookup('no-such-name', key['id'], on_missing='warn')) == 1
    assert lookup.warnings == ["scwkms_public_key: no key named 'no-such-name' in project %s, region fr-par; skipped" % PROJECT]


def test_nothing_secret_on_disk(km_emulator, lookup, tmp_path):
    key = create_key(km_emulator, 'ec_p256_sha256', name='lk-disk')
    lookup(key['id'], 'lk-disk')
    directory = pathlib.Path(lookup.run_directory())
    assert len(os.listdir(str(directory))) == 4  # two entries, two lock files
    assert oct(os.stat(str(directory)).st_mode & 0o777) == '0o700'
    for name in os.listdir(str(directory)):
        content = (directory / name).read_text()
        assert oct(os.stat(str(directory / name)).st_mode & 0o777) == '0o600'
        assert SECRET not in content


# -- the cache lives one run, and only serves what it can vouch for ---------------------------------

def test_defaults_keep_entries_for_one_run_only():
    assert OWN_DEFAULTS['cache'] is True and OWN_DEFAULTS['cache_dir'] is None and OWN_DEFAULTS['cache_ttl'] == 0


def test_a_re_pointed_name_gives_the_new_key_in_the_next_run(km_emulator, lookup):
    client = client_for(km_emulator)
    old = create_key(km_emulator, 'ec_p256_sha256', name='lk-repointed')
    first, = lookup('lk-repointed')
    client.delete_key(old['id'])
    new = create_key(km_emulator, 'ec_p256_sha256', name='lk-repointed')
    lookup.new_run()
    second, = lookup('lk-repointed', format='info')
    assert second['key_id'] == new['id'] and second['pem'] != first


def test_a_restarted_emulator_gives_the_new_key_in_the_next_run(km_emulator, lookup):
    key = create_key(km_emulator, 'ec_p256_sha256', name='lk-restarted')
    first, = lookup(key['id'], 'lk-restarted')[:1]
    km_emulator.reset()
    again = create_key(km_emulator, 'ec_p256_sha256', name='lk-restarted')
    lookup.new_run()
    second, = lookup('lk-restarted', format='info')
    assert second['key_id'] == again['id'] and second['pem'] != first
    with pytest.raises(AnsibleLookupError, match='does not exist'):
        lookup(key['id'])


def test_cross_run_ttl_is_opt_in_with_a_persistent_directory(km_emulator, lookup, tmp_path):
    key = create_key(km_emulator, 'ec_p256_sha256', name='lk-ttl')
    persistent = str(tmp_path / 'persistent')
    lookup(key['id'], cache_dir=persistent)
    km_emulator.clear_requests()
    lookup.new_run()
    lookup(key['id'], cache_dir=persistent)
    assert api_calls(km_emulator) == {PUBLIC_KEY: 1}  # written by the previous run: not used without cache_ttl
    lookup.new_run()
    lookup(key['id'], cache_dir=persistent, cache_ttl=3600)
    assert api_calls(km_emulator) == {PUBLIC_KEY: 1}  # opted in: the previous run's entry serves


def _entries(directory):
    return [os.path.join(directory, name) for name in os.listdir(directory) if name.endswith('.json')]


def test_a_tampered_entry_is_refetched(km_emulator, lookup):
    key = create_key(km_emulator, 'ec_p256_sha256', name='lk-genuine')
    other = create_key(km_emulator, 'ec_p256_sha256', name='lk-other')
    genuine, = lookup(key['id'])
    forged_pem = client_for(km_emulator).get_public_key(other['id'])
    path, = _entries(lookup.run_directory())
    entry = json.load(open(path))
    entry['value']['pem'] = forged_pem
    with open(path, 'w') as handle:
        json.dump(entry, handle)
    km_emulator.clear_requests()
    assert lookup(key['id']) == [genuine]
    assert api_calls(km_emulator) == {PUBLIC_KEY: 1}


def test_an_entry_written_with_another_secret_key_is_refetched(km_emulator, lookup):
    key = create_key(km_emulator, 'ec_p256_sha256')
    lookup(key['id'], secret_key=OTHER_SECRET)
    km_emulator.clear_requests()
    lookup(key['id'])
    lookup(key['id'])
    assert api_calls(km_emulator) == {PUBLIC_KEY: 1}


def test_a_pem_that_does_not_parse_is_never_cached(km_emulator, lookup, monkeypatch):
    key = create_key(km_emulator, 'ec_p256_sha256')
    real = _client.KeyManagerClient.get_public_key
    monkeypatch.setattr(_client.KeyManagerClient, 'get_public_key', lambda self, *args, **kwargs: '-----BEGIN junk')
    with pytest.raises(AnsibleLookupError, match='cannot be used'):
        lookup(key['id'])
    monkeypatch.setattr(_client.KeyManagerClient, 'get_public_key', real)
    pem, = lookup(key['id'])
    assert parse_public_key(pem).curve == 'P-256'


def test_a_symlinked_cache_dir_is_refused_and_its_target_untouched(km_emulator, lookup, tmp_path):
    key = create_key(km_emulator, 'ec_p256_sha256')
    target = tmp_path / 'shared'
    target.mkdir()
    os.chmod(str(target), 0o755)
    link = tmp_path / 'link'
    link.symlink_to(target)
    km_emulator.clear_requests()
    assert len(lookup(key['id'], key['id'], cache_dir=str(link))) == 2
    assert os.stat(str(target)).st_mode & 0o777 == 0o755 and os.listdir(str(target)) == []
    assert lookup.warnings == ['scwkms_public_key: not caching public keys in %s: it is a symbolic link; give the real '
                               'directory' % link]


# -- the real thing: a play over many hosts --------------------------------------------------------

# The integration target lookup_scwkms_public_key runs the same play over 50 hosts.
HOSTS = 20
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')


@pytest.mark.skipif(not os.path.exists(ANSIBLE_PLAYBOOK), reason='ansible-playbook is not next to this Python')
def test_many_hosts_cost_one_request_per_key_and_the_next_run_asks_again(km_emulator, tmp_path):
    """Forked workers share the default per-run cache; Ansible removes it at the end of the run, so the
    next run sees a key name that was made to mean another key meanwhile."""
    first = create_key(km_emulator, 'ec_p256_sha256', name='fleet-a')
    second = create_key(km_emulator, 'rsa_pss_2048_sha256', name='fleet-b')
    inventory = tmp_path / 'hosts.ini'
    inventory.write_text('[fleet]\n' + ''.join('host%02d\n' % index for index in range(HOSTS)) +
                         '[fleet:vars]\nansible_connection=local\nansible_python_interpreter=%s\n' % sys.executable)
    (tmp_path / 'keys.j2').write_text(textwrap.dedent('''\
        {{ lookup('scwkms.key_manager.scwkms_public_key', key_a) }}
        {{ lookup('scwkms.key_manager.scwkms_public_key', 'fleet-b', format='openssh') }}
        '''))
    (tmp_path / 'play.yml').write_text(textwrap.dedent('''\
        - hosts: fleet
          gather_facts: false
          tasks:
            - ansible.builtin.template:
                src: keys.j2
                dest: "{{ out_dir }}/{{ inventory_hostname }}.txt"
                mode: "0644"
        '''))
    out_dir = tmp_path / 'out'
    out_dir.mkdir()
    local_tmp = tmp_path / 'ansible-tmp'
    collections = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(scwkms_public_key.__file__)))).rsplit(
        os.sep + 'ansible_collections', 1)[0]
    # Connection settings through the plugin variant's sources: vars (scwkms_*) and environment (SCW_*).
    extra = {'out_dir': str(out_dir), 'key_a': first['id'], 'scwkms_secret_key': SECRET,
             'scwkms_project_id': PROJECT, 'scwkms_max_retries': 0}
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, SCW_API_URL=km_emulator.url,
                       SCW_DEFAULT_REGION='fr-par', ANSIBLE_LOCAL_TEMP=str(local_tmp), HOME=str(tmp_path / 'home'),
                       ANSIBLE_FORKS='10', ANSIBLE_HOST_KEY_CHECKING='false', ANSIBLE_NOCOLOR='1')
    for name in ('SCW_SECRET_KEY', 'SCWKMS_PUBLIC_KEY_CACHE_DIR', 'SCWKMS_PUBLIC_KEY_CACHE_TTL'):
        environment.pop(name, None)
    (tmp_path / 'vars.json').write_text(json.dumps(extra))

    def play():
        km_emulator.clear_requests()
        result = subprocess.run([ANSIBLE_PLAYBOOK, '-i', str(inventory), str(tmp_path / 'play.yml'), '-e', '@%s' % (tmp_path / 'vars.json')],
                                cwd=str(tmp_path), env=environment, capture_output=True, text=True, timeout=600, check=False)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert api_calls(km_emulator) == {PUBLIC_KEY: 2, LIST: 1}
        contents = set((out_dir / name).read_text() for name in os.listdir(str(out_dir)))
        assert len(os.listdir(str(out_dir))) == HOSTS and len(contents) == 1
        assert os.listdir(str(local_tmp)) == []  # the per-run directory, and the cache in it, are gone
        return contents.pop()

    rendered = play()
    pem, ssh_line = rendered.split('-----END PUBLIC KEY-----\n')
    assert pem.startswith('-----BEGIN PUBLIC KEY-----\n') and ssh_line.startswith('\nssh-rsa ')
    client_for(km_emulator).delete_key(second['id'])
    create_key(km_emulator, 'rsa_pss_2048_sha256', name='fleet-b')
    again = play()
    assert again.split('-----END PUBLIC KEY-----\n')[0] == pem and again != rendered
    assert not os.path.exists(str(tmp_path / 'home' / '.cache'))
