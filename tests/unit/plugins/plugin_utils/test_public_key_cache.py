# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The controller-side public key cache: modes, expiry, integrity, and one fetch across forked workers."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
import time

import pytest

from ansible_collections.scwkms.key_manager.plugins.plugin_utils import _public_key_cache
from ansible_collections.scwkms.key_manager.plugins.plugin_utils._public_key_cache import PublicKeyCache, public_url

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


@pytest.mark.parametrize('enabled, ttl', [(False, 300), (True, 0), (True, None)])
def test_off_switch(tmp_path, enabled, ttl):
    directory = tmp_path / 'never'
    cache = PublicKeyCache(str(directory), ttl, enabled=enabled)
    fetch = Fetcher()
    cache.get_or_fetch(IDENTITY, fetch)
    cache.get_or_fetch(IDENTITY, fetch)
    assert fetch.calls == 2 and not directory.exists()


def test_identity_is_checked(tmp_path):
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
    assert warnings == ['scwkms_public_key: not caching public keys in %s: cannot create the directory (File exists)' % path]


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
