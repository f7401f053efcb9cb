# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_lock.py: the host lock that serializes the read-plan-write of one key name."""

from __future__ import annotations

import os
import stat
import threading
from collections import namedtuple

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils import _lock
from ansible_collections.scwkms.key_manager.plugins.module_utils._lock import LockError, key_lock, keys_lock, lock_name

Settings = namedtuple('Settings', ['api_url', 'retry_deadline'])
SETTINGS = Settings('http://127.0.0.1:1', 10)
OTHER_API = Settings('http://127.0.0.1:2', 10)


def test_one_holder_at_a_time(tmp_path):
    inside, overlaps, order = [0], [], []

    def worker(number):
        with key_lock(SETTINGS, 'fr-par', 'p', 'k', directory=str(tmp_path)):
            inside[0] += 1
            overlaps.append(inside[0])
            order.append(number)
            threading.Event().wait(0.01)
            inside[0] -= 1
    threads = [threading.Thread(target=worker, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(order) == list(range(8)) and set(overlaps) == {1}


def test_other_names_and_apis_do_not_wait(tmp_path, monkeypatch):
    monkeypatch.setattr(_lock, 'MIN_WAIT_SECONDS', 0.2)
    monkeypatch.setattr(_lock, 'POLL_SECONDS', 0.01)
    base = str(tmp_path)
    with key_lock(SETTINGS, 'fr-par', 'p', 'k', directory=base):
        with key_lock(SETTINGS, 'fr-par', 'p', 'other', directory=base), \
                key_lock(OTHER_API, 'fr-par', 'p', 'k', directory=base), \
                key_lock(SETTINGS, 'nl-ams', 'p', 'k', directory=base):
            pass
        with pytest.raises(LockError, match='held the lock'):
            with key_lock(Settings('http://127.0.0.1:1', 0), 'fr-par', 'p', 'k', directory=base):
                pass


def test_files_are_private_and_named_by_a_hash(tmp_path):
    with keys_lock(SETTINGS, 'fr-par', 'p', ['b', 'a', 'b'], directory=str(tmp_path)) as held:
        assert held == sorted([lock_name(SETTINGS, 'fr-par', 'p', 'a'), lock_name(SETTINGS, 'fr-par', 'p', 'b')])
    directory = tmp_path / ('scwkms-locks-%d' % os.getuid())
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for path in directory.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(path.name) == 64 + len('.lock')


def test_a_symlinked_directory_is_refused(tmp_path):
    target = tmp_path / 'elsewhere'
    target.mkdir()
    (tmp_path / ('scwkms-locks-%d' % os.getuid())).symlink_to(target)
    with pytest.raises(LockError, match='not a plain directory'):
        with key_lock(SETTINGS, 'fr-par', 'p', 'k', directory=str(tmp_path)):
            pass
    assert not list(target.iterdir())


def test_a_loose_mode_is_tightened(tmp_path):
    directory = tmp_path / ('scwkms-locks-%d' % os.getuid())
    directory.mkdir(mode=0o777)
    os.chmod(str(directory), 0o777)
    with key_lock(SETTINGS, 'fr-par', 'p', 'k', directory=str(tmp_path)):
        pass
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
