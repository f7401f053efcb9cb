# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The controller-side public key cache: modes, expiry, integrity, and one fetch across forked workers."""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import stat
import time

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerError
from ansible_collections.scwkms.key_manager.plugins.plugin_utils import _public_key_cache
from ansible_collections.scwkms.key_manager.plugins.plugin_utils._public_key_cache import PublicKeyCache, public_url
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import api_calls, emulator_settings

IDENTITY = {'kind': 'public_key', 'api_url': 'https://api.scaleway.com', 'region': 'fr-par',
            'key_id': '2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a'}
VALUE = {'pem': '-----BEGIN EC PUBLIC KEY-----\nAAAA\n-----END EC PUBLIC KEY-----\n'}


class Clock(object):
    def __init__(self, now=1000000.0):
        self.now = now

    def __call__(self):
        return self.now


class Fetcher(object):
    def __init__(self, value=None):
        self.calls = 0
        self.value = value or VALUE

    def __call__(self):
        self.calls += 1
        return dict(self.value)


def mode(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def test_modes_and_reuse(tmp_path):
    directory = tmp_path / 'cache' / 'public_keys'
    cache = PublicKeyCache(str(directory), 300)
    fetch = Fetcher()
    assert cache.get_or_fetch(IDENTITY, fetch) == VALUE
    assert cache.get_or_fetch(IDENTITY, fetch) == VALUE
    assert PublicKeyCache(str(directory), 300).get_or_fetch(IDENTITY, fetch) == VALUE
    assert fetch.calls == 1
    assert mode(directory) == 0o700
    files = sorted(os.listdir(str(directory)))
    assert len(files) == 2 and files[0].endswith('.json') and files[1].endswith('.lock')
    for name in files:
        assert mode(directory / name) == 0o600
    entry = json.loads((directory / files[0]).read_text())
    assert entry['identity'] == IDENTITY and entry['value'] == VALUE


def test_ttl(tmp_path):
    clock = Clock()
    cache = PublicKeyCache(str(tmp_path), 300, clock=clock)
    fetch = Fetcher()
    cache.get_or_fetch(IDENTITY, fetch)
    clock.now += 299
    cache.get_or_fetch(IDENTITY, fetch)
    assert fetch.calls == 1
    clock.now += 1
    cache.get_or_fetch(IDENTITY, fetch)
    assert fetch.calls == 2
    clock.now -= 3600  # the clock went back: an entry from the future is not trusted
    cache.get_or_fetch(IDENTITY, fetch)
    assert fetch.calls == 3


def test_off_switch(tmp_path):
    directory = tmp_path / 'never'
    cache = PublicKeyCache(str(directory), 300, enabled=False)
    fetch = Fetcher()
    cache.get_or_fetch(IDENTITY, fetch)
    cache.get_or_fetch(IDENTITY, fetch)
    assert fetch.calls == 2 and not directory.exists()


@pytest.mark.parametrize('ttl', [0, None, -5])
def test_without_ttl_entries_serve_the_run_that_wrote_them_only(tmp_path, ttl):
    clock = Clock()
    fetch = Fetcher()
    for run, calls in (('run-1', 1), ('run-1', 1), ('run-2', 2), ('run-2', 2), ('run-1', 3)):
        clock.now += 10 ** 6  # time alone does not expire an entry of this run
        PublicKeyCache(str(tmp_path / 'cache'), ttl, run=run, clock=clock).get_or_fetch(IDENTITY, fetch)
        assert fetch.calls == calls


def test_default_directory_is_inside_the_per_run_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(_public_key_cache, 'run_directory', lambda: str(tmp_path / 'ansible-local-1'))
    cache = PublicKeyCache(None)
    cache.get_or_fetch(IDENTITY, Fetcher())
    assert cache.directory == str(tmp_path / 'ansible-local-1' / 'scwkms_public_keys')
    assert len(os.listdir(cache.directory)) == 2 and mode(cache.directory) == 0o700


def test_per_run_directory_is_ansible_local_tmp():
    from ansible import constants
    assert _public_key_cache.run_directory() == constants.DEFAULT_LOCAL_TMP
    assert os.path.basename(constants.DEFAULT_LOCAL_TMP).startswith('ansible-local-%d' % os.getpid())


def test_identity_is_checked(tmp_path):  # and sealed: see test_tampered_entries_are_refetched
    cache = PublicKeyCache(str(tmp_path), 300)
    cache.get_or_fetch(IDENTITY, Fetcher())
    path = cache._path(IDENTITY)
    entry = json.loads(open(path).read())
    entry['identity'] = dict(IDENTITY, key_id='00000000-0000-4000-8000-000000000000')
    with open(path, 'w') as handle:
        json.dump(entry, handle)
    fetch = Fetcher()
    cache.get_or_fetch(IDENTITY, fetch)
    assert fetch.calls == 1


@pytest.mark.parametrize('content', [b'', b'{not json', b'[]', b'{"format": 99}', b'\xff\xfe',
                                     b'{"format": 1, "identity": null, "stored_at": 0, "value": {}}'])
def test_corrupt_entries_are_refetched(tmp_path, content):
    cache = PublicKeyCache(str(tmp_path), 300)
    cache.get_or_fetch(IDENTITY, Fetcher())
    with open(cache._path(IDENTITY), 'wb') as handle:
        handle.write(content)
    fetch = Fetcher()
    assert cache.get_or_fetch(IDENTITY, fetch) == VALUE and fetch.calls == 1
    assert cache.get_or_fetch(IDENTITY, fetch) == VALUE and fetch.calls == 1


def test_entries_open_to_others_or_symlinked_are_ignored(tmp_path):
    cache = PublicKeyCache(str(tmp_path / 'c'), 300)
    cache.get_or_fetch(IDENTITY, Fetcher())
    path = cache._path(IDENTITY)
    os.chmod(path, 0o644)
    fetch = Fetcher()
    cache.get_or_fetch(IDENTITY, fetch)
    assert fetch.calls == 1 and mode(path) == 0o600  # rewritten
    elsewhere = tmp_path / 'elsewhere.json'
    os.rename(path, str(elsewhere))
    os.symlink(str(elsewhere), path)
    cache.get_or_fetch(IDENTITY, fetch)
    assert fetch.calls == 2


def test_open_directory_is_tightened(tmp_path):
    directory = tmp_path / 'open'
    directory.mkdir(mode=0o755)
    os.chmod(str(directory), 0o777)
    PublicKeyCache(str(directory), 300).get_or_fetch(IDENTITY, Fetcher())
    assert mode(directory) == 0o700


def test_foreign_directory_is_not_used(tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(_public_key_cache.os, 'geteuid', lambda: os.stat(str(tmp_path)).st_uid + 1)
    cache = PublicKeyCache(str(tmp_path), 300, warn=warnings.append)
    fetch = Fetcher()
    cache.get_or_fetch(IDENTITY, fetch)
    cache.get_or_fetch(IDENTITY, fetch)
    assert fetch.calls == 2 and not os.listdir(str(tmp_path))
    assert warnings == ['scwkms_public_key: not caching public keys in %s: the directory belongs to another user (uid %d)'
                        % (tmp_path, os.stat(str(tmp_path)).st_uid)]


def test_write_failure_disables_the_cache_not_the_lookup(tmp_path, monkeypatch):
    warnings = []

    def broken(*args, **kwargs):
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(_public_key_cache.tempfile, 'mkstemp', broken)
    cache = PublicKeyCache(str(tmp_path), 300, warn=warnings.append)
    fetch = Fetcher()
    assert cache.get_or_fetch(IDENTITY, fetch) == VALUE
    assert cache.get_or_fetch(IDENTITY, fetch) == VALUE
    assert fetch.calls == 2 and len(warnings) == 1 and 'No space left on device' in warnings[0]


def test_a_file_where_the_directory_should_be(tmp_path):
    path = tmp_path / 'file'
    path.write_text('x')
    warnings = []
    cache = PublicKeyCache(str(path), 300, warn=warnings.append)
    assert cache.get_or_fetch(IDENTITY, Fetcher()) == VALUE
    assert warnings == ['scwkms_public_key: not caching public keys in %s: cannot open the directory (Not a directory)' % path]


def test_no_credentials_in_cache_files(tmp_path):
    assert public_url('https://user:s3cret@api.example.com:8443/base/') == 'https://api.example.com:8443/base'
    assert public_url('http://127.0.0.1:4000') == 'http://127.0.0.1:4000'


def _worker(directory, identity, log_path, barrier):
    barrier.wait()

    def fetch():
        with open(log_path, 'a') as log:
            log.write('fetch %s\n' % identity['key_id'])
        time.sleep(0.3)
        return {'pem': identity['key_id']}
    value = PublicKeyCache(directory, 300).get_or_fetch(identity, fetch)
    if value != {'pem': identity['key_id']}:
        raise SystemExit(1)


def test_forked_workers_fetch_each_key_once(tmp_path):
    """What a template rendered for many hosts does: workers ask at the same moment; one fetch per key."""
    context = multiprocessing.get_context('fork')
    identities = [dict(IDENTITY, key_id='key-a'), dict(IDENTITY, key_id='key-b')]
    log_path = str(tmp_path / 'fetches.log')
    workers = 12
    barrier = context.Barrier(workers)
    processes = [context.Process(target=_worker, args=(str(tmp_path / 'cache'), identities[index % 2], log_path, barrier))
                 for index in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    assert sorted(open(log_path).read().splitlines()) == ['fetch key-a', 'fetch key-b']


# -- integrity: what is served is what was fetched, for this identity, with this secret -------------

def rewrite(path, change):
    entry = json.loads(open(path).read())
    change(entry)
    with open(path, 'w') as handle:
        json.dump(entry, handle)


@pytest.mark.parametrize('change', [
    lambda entry: entry['value'].update(pem='-----BEGIN PUBLIC KEY-----\nBBBB\n-----END PUBLIC KEY-----\n'),
    lambda entry: entry.update(stored_at=entry['stored_at'] + 100),
    lambda entry: entry.update(run='another run'),
    lambda entry: entry.pop('hmac'),
])
def test_tampered_entries_are_refetched(tmp_path, change):
    cache = PublicKeyCache(str(tmp_path), 300, secret='s1')
    cache.get_or_fetch(IDENTITY, Fetcher())
    rewrite(cache._path(IDENTITY), change)
    fetch = Fetcher()
    assert cache.get_or_fetch(IDENTITY, fetch) == VALUE and fetch.calls == 1


def test_entries_of_another_secret_key_are_refetched(tmp_path):
    PublicKeyCache(str(tmp_path), 300, secret='s1').get_or_fetch(IDENTITY, Fetcher({'pem': 'from s1'}))
    fetch = Fetcher()
    assert PublicKeyCache(str(tmp_path), 300, secret='s2').get_or_fetch(IDENTITY, fetch) == VALUE
    assert fetch.calls == 1
    assert 's1' not in open(os.path.join(str(tmp_path), os.listdir(str(tmp_path))[0])).read().replace('"s1', '')


def test_values_that_do_not_validate_are_never_stored_nor_served(tmp_path):
    def validate(value):
        if value['pem'] == 'junk':
            raise ValueError('not a public key')
    cache = PublicKeyCache(str(tmp_path), 300)
    with pytest.raises(ValueError):
        cache.get_or_fetch(IDENTITY, Fetcher({'pem': 'junk'}), validate)
    assert not [name for name in os.listdir(str(tmp_path)) if name.endswith('.json')]
    PublicKeyCache(str(tmp_path), 300).get_or_fetch(IDENTITY, Fetcher({'pem': 'junk'}))  # stored without validate
    fetch = Fetcher()
    assert cache.get_or_fetch(IDENTITY, fetch, validate) == VALUE and fetch.calls == 1


def test_a_symlinked_directory_is_refused_without_touching_its_target(tmp_path):
    target = tmp_path / 'target'
    target.mkdir()
    os.chmod(str(target), 0o755)
    link = tmp_path / 'link'
    link.symlink_to(target)
    warnings = []
    cache = PublicKeyCache(str(link), 300, warn=warnings.append)
    fetch = Fetcher()
    cache.get_or_fetch(IDENTITY, fetch)
    cache.get_or_fetch(IDENTITY, fetch)
    assert fetch.calls == 2 and mode(target) == 0o755 and os.listdir(str(target)) == []
    assert warnings == ['scwkms_public_key: not caching public keys in %s: it is a symbolic link; give the real '
                        'directory' % link]


# -- no lock is held across the API client's retries ------------------------------------------------

def _outage_resolver(emulator, cache, max_retries):
    from ansible_collections.scwkms.key_manager.plugins.lookup.scwkms_public_key import Resolver
    from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerClient
    settings = emulator_settings(emulator, max_retries=max_retries)
    return Resolver(KeyManagerClient(settings, sleep=cache.sleep), settings, cache)


def _locks_held(directory):
    """The lock files some open file description holds (flock locks conflict even within one process)."""
    held = []
    for name in sorted(os.listdir(directory)):
        if name.endswith('.lock'):
            fd = os.open(os.path.join(directory, name), os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                held.append(name)
            finally:
                os.close(fd)
    return held


OUTAGE = [{'type': 'error', 'route': 'GET /keys/{key_id}/public-key', 'status': 503, 'rate': 1.0}]
KEY_ID = '2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a'


def test_no_lock_is_held_while_the_client_backs_off(km_emulator, tmp_path):
    sleeps = []
    directory = str(tmp_path / 'cache')
    cache = PublicKeyCache(directory, 0, run='run', sleep=lambda seconds: sleeps.append(_locks_held(directory)))
    resolver = _outage_resolver(km_emulator, cache, max_retries=3)
    km_emulator.set_faults(OUTAGE)
    try:
        with pytest.raises(KeyManagerError, match='HTTP 503'):
            resolver.public_key(KEY_ID)
    finally:
        km_emulator.clear_faults()
    assert sleeps == [[], [], []]  # three back-offs, each with no lock held
    # One attempt under the lock, then the client's own 1 + 3 attempts outside it.
    assert api_calls(km_emulator) == {'GET /keys/{key_id}/public-key': 5}


def _outage_worker(url, directory, barrier, failures):
    class Emulator(object):
        pass
    emulator = Emulator()
    emulator.url = url
    waited = []

    def sleep(seconds):
        if not waited:
            waited.append(True)
            barrier.wait(60)  # every worker reaches its first back-off: nobody waits behind a lock

    cache = PublicKeyCache(directory, 0, run='run', sleep=sleep)
    try:
        _outage_resolver(emulator, cache, max_retries=1).public_key(KEY_ID)
    except KeyManagerError as exc:
        if '503' not in str(exc) or not waited:
            failures.put(str(exc))
    except Exception as exc:  # pylint: disable=broad-except
        failures.put(repr(exc))
    else:
        failures.put('no error')


def test_an_outage_does_not_queue_ten_workers_behind_one_lock(km_emulator, tmp_path):
    """The workers' back-offs overlap (all ten wait at one barrier from inside their sleep), which cannot happen
    if one worker holds the key's lock across its retries while the others wait for it."""
    context = multiprocessing.get_context('fork')
    barrier = context.Barrier(10)
    failures = context.Queue()
    km_emulator.set_faults(OUTAGE)
    try:
        processes = [context.Process(target=_outage_worker, args=(km_emulator.url, str(tmp_path / 'c'), barrier, failures))
                     for _index in range(10)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(120)
    finally:
        km_emulator.clear_faults()
    reported = []
    while not failures.empty():
        reported.append(failures.get())
    assert reported == [] and [process.exitcode for process in processes] == [0] * 10
    assert api_calls(km_emulator) == {'GET /keys/{key_id}/public-key': 30}
