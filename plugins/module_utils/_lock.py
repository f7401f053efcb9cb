# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Host-wide locks around the read-plan-write of a key. Private to this collection.

Key Manager has no idempotency token and no conditional write, so two forks converging the same
key name would both see "no key" and both create one. An flock serializes them on the host that
runs the module (forks, processes, threads with their own descriptor); several controllers are
handled after the fact by _locator.settle_created().
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import time

try:
    import fcntl
    HAS_FCNTL = True
except ImportError:  # not a POSIX host: no host lock, settle_created() still resolves races
    HAS_FCNTL = False

from ._errors import UserError

POLL_SECONDS = 0.05
# Waiting longer than this means a holder is stuck: fail rather than hang the play.
MIN_WAIT_SECONDS = 120.0


class LockError(UserError):
    pass


def lock_directory(base=None):
    """The per-user 0700 directory holding the lock files; a symlink or a directory of another user is
    refused, because a lock file there could be swapped for a link to a file of ours."""
    path = os.path.join(base or tempfile.gettempdir(), 'scwkms-locks-%d' % os.getuid())
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise LockError('lock directory %s is not a plain directory (a symlink?); remove it' % path)
    if info.st_uid != os.getuid():
        raise LockError('lock directory %s belongs to another user; remove it' % path)
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(path, 0o700)
    return path


def lock_name(settings, region, project_id, name):
    identity = json.dumps([settings.api_url, region, project_id, name], separators=(',', ':'))
    return hashlib.sha256(identity.encode('utf-8')).hexdigest() + '.lock'


@contextlib.contextmanager
def key_lock(settings, region, project_id, name, directory=None):
    """Hold the host lock of one key name (in one project and region of one API) for the block."""
    with keys_lock(settings, region, project_id, [name], directory) as held:
        yield held


@contextlib.contextmanager
def keys_lock(settings, region, project_id, names, directory=None):
    """Hold the locks of several names, taken in sorted order so two holders never deadlock."""
    if not HAS_FCNTL:
        yield []
        return
    base = lock_directory(directory)
    wait = max(MIN_WAIT_SECONDS, 3 * float(getattr(settings, 'retry_deadline', 0) or 0))
    files = sorted(set(lock_name(settings, region, project_id, name) for name in names))
    handles = []
    try:
        for filename in files:
            handles.append(_acquire(os.path.join(base, filename), wait))
        yield files
    finally:
        for handle in reversed(handles):
            os.close(handle)  # closing the descriptor releases its flock


def _acquire(path, wait):
    handle = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0), 0o600)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except (BlockingIOError, PermissionError):
            if time.monotonic() >= deadline:
                os.close(handle)
                raise LockError('another task held the lock %s for over %d s; is a task stuck?' % (path, wait))
            time.sleep(POLL_SECONDS)
