# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller-side cache of public key material for the scwkms_public_key lookup. Private.

Why a disk cache: Ansible renders a template once per host, each in a forked worker process, so
memory in the lookup never outlives one host's task; a file lets N hosts cost one request per key.

Why it lives one playbook run by default: a name can come to mean another key, and an emulator or
a test account can be reset, so an answer from an earlier run may be the wrong key. By default the
directory is inside Ansible's per-run local temporary directory (ansible.constants.DEFAULT_LOCAL_TMP:
created by the main process when ansible.constants is imported, inherited by the forked workers,
removed by an atexit handler of the main process; ansible-core 2.16 to 2.19 alike). A directory the
user chooses persists, but its entries are still bound to the run that wrote them unless `ttl` > 0.

Rules:
* only public data is stored (the PEM as served, key ids, names, algorithms), never a credential;
* each entry carries its identity (API endpoint, region, key id; or project and name), the run that
  wrote it and an HMAC over all of it keyed with a digest of the secret key: an entry that was
  edited, or written with another secret key, is refused (and refetched);
* a value is stored only when `validate` accepts it, and checked again when read;
* a directory of mode 0700 owned by the current user, files of mode 0600, written atomically; a
  symbolic link or a directory that is not ours is not used (and nothing is chmod'ed through a link);
* one lock file per entry (flock), so workers asking for the same key at once wait for the first
  one's answer; but no lock is held across a retry: sleep() (the client's back-off) called while this
  process holds a lock makes the attempt give up, and the fetch is made again outside the lock;
* any cache I/O problem disables the cache for the call (with one warning), never the lookup.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import hmac
import json
import os
import stat
import tempfile
import time
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

CACHE_FORMAT = 2
# A cached entry whose timestamp is this far in the future (clock moved back) is not trusted.
CLOCK_SKEW = 5.0


def public_url(url):
    """The API URL without user:password, so nothing secret lands in a cache file."""
    parts = urlsplit(url)
    host = parts.hostname or ''
    if parts.port:
        host = '%s:%d' % (host, parts.port)
    return urlunsplit((parts.scheme, host, parts.path.rstrip('/'), '', ''))


def run_directory():
    """Ansible's per-run local temporary directory (see the module docstring)."""
    from ansible import constants
    return constants.DEFAULT_LOCAL_TMP


class _RetryOutsideLock(Exception):
    """Raised by sleep() when the client wants to back off while this process holds a cache lock."""


class PublicKeyCache(object):

    def __init__(self, directory, ttl=0, secret='', enabled=True, clock=time.time, warn=None, sleep=time.sleep,
                 run=None):
        """directory None: the per-run directory. ttl 0: entries serve this run only; ttl > 0: entries
        serve any run for ttl seconds. run: what identifies this run (default: the per-run directory)."""
        self.run = run or run_directory()
        self.directory = os.path.expanduser(directory) if directory else os.path.join(self.run, 'scwkms_public_keys')
        self.ttl = max(0.0, float(ttl or 0))
        self.enabled = bool(enabled)
        self.clock = clock
        self.seal_with(secret)
        self._warn = warn
        self._sleep = sleep
        self._ready = False
        self._locks = []
        self.hits = 0
        self.misses = 0

    # -- public --------------------------------------------------------------------------------

    def seal_with(self, secret):
        """Key the entries' HMAC with a digest of this secret: entries written under another one are refused."""
        self._key = hashlib.sha256(b'scwkms.key_manager public key cache\0' + (secret or '').encode('utf-8')).digest()

    def sleep(self, seconds):
        """The back-off sleep to give the API client: never sleeps while holding a lock."""
        if self._locks:
            raise _RetryOutsideLock()
        self._sleep(seconds)

    def get_or_fetch(self, identity, fetch, validate=None):
        """The cached value for identity (a dict of strings), else fetch() stored and returned.
        fetch() returns a JSON-serializable dict of public data; validate(value) raises ValueError
        (a UserError) when the value is unusable, and then nothing is stored."""
        validate = validate or _accept
        if not self.enabled or not self._prepare():
            self.misses += 1
            return _checked(fetch(), validate)
        path = self._path(identity)
        value = self._read(path, identity, validate)
        if value is None:
            with self._locked(path):
                value = self._read(path, identity, validate)  # another worker may have fetched it meanwhile
                if value is None:
                    return self._fetch_and_store(path, identity, fetch, validate)
        self.hits += 1
        return value

    def _fetch_and_store(self, path, identity, fetch, validate):
        self.misses += 1
        try:
            value = _checked(fetch(), validate)
        except _RetryOutsideLock:
            # The first attempt failed in a way the client retries: retry with its back-off, holding no lock,
            # so that workers asking for other keys, or for this one, are not queued behind an outage.
            self._release()
            value = _checked(fetch(), validate)
        self._write(path, identity, value)
        return value

    # -- directory -----------------------------------------------------------------------------

    def _disable(self, why):
        if self.enabled and self._warn is not None:
            self._warn('scwkms_public_key: not caching public keys in %s: %s' % (self.directory, why))
        self.enabled = False
        return False

    def _prepare(self):
        if self._ready:
            return True
        try:
            os.makedirs(self.directory, 0o700)
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                return self._disable('cannot create the directory (%s)' % (exc.strerror or exc))
        why = _unusable_directory(self.directory)
        if why:
            return self._disable(why)
        self._ready = True
        return True

    def _path(self, identity):
        return os.path.join(self.directory, hashlib.sha256(_canonical(identity)).hexdigest() + '.json')

    # -- entries -------------------------------------------------------------------------------

    def _seal(self, entry):
        return hmac.new(self._key, _canonical(entry), hashlib.sha256).hexdigest()

    def _read(self, path, identity, validate):
        entry = _load(path)
        if not isinstance(entry, dict) or entry.get('format') != CACHE_FORMAT:
            return None
        seal = entry.pop('hmac', None)
        if not isinstance(seal, str) or not hmac.compare_digest(seal, self._seal(entry)):
            return None
        if entry.get('identity') != identity or not self._fresh(entry):
            return None
        value = entry.get('value')
        try:
            return _checked(value, validate) if isinstance(value, dict) else None
        except ValueError:
            return None

    def _fresh(self, entry):
        if self.ttl == 0:
            return entry.get('run') == self.run
        stored = entry.get('stored_at')
        now = self.clock()
        return isinstance(stored, (int, float)) and now - self.ttl < stored <= now + CLOCK_SKEW

    def _write(self, path, identity, value):
        if not self.enabled:
            return
        entry = {'format': CACHE_FORMAT, 'identity': identity, 'run': self.run, 'stored_at': self.clock(), 'value': value}
        entry['hmac'] = self._seal(entry)
        temporary = None
        try:
            fd, temporary = tempfile.mkstemp(prefix='.tmp-', suffix='.json', dir=self.directory)  # mode 0600
            with os.fdopen(fd, 'wb') as handle:
                handle.write(json.dumps(entry, sort_keys=True).encode('utf-8'))
            os.rename(temporary, path)
            temporary = None
        except OSError as exc:
            self._disable('cannot write %s (%s)' % (path, exc.strerror or exc))
        finally:
            if temporary is not None and os.path.exists(temporary):
                os.unlink(temporary)

    @contextmanager
    def _locked(self, path):
        lock_path = path[:-len('.json')] + '.lock'
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            self._disable('cannot create the lock file %s (%s)' % (lock_path, exc.strerror or exc))
            yield
            return
        self._locks.append(fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            if fd in self._locks:
                self._locks.remove(fd)
                os.close(fd)  # closing the only descriptor releases the flock

    def _release(self):
        """Give up the locks this process holds (for the rest of their `with _locked()` blocks)."""
        while self._locks:
            os.close(self._locks.pop())


def _accept(value):
    return value


def _checked(value, validate):
    validate(value)
    return value


def _canonical(data):
    return json.dumps(data, sort_keys=True, separators=(',', ':')).encode('utf-8')


def _unusable_directory(directory):
    """Why directory cannot hold the cache, or None; tightens its mode to 0700 without following a link."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        if os.path.islink(directory):
            return 'it is a symbolic link; give the real directory'
        return 'cannot open the directory (%s)' % (exc.strerror or exc)
    try:
        info = os.fstat(fd)
        if info.st_uid != os.geteuid():
            return 'the directory belongs to another user (uid %d)' % info.st_uid
        if stat.S_IMODE(info.st_mode) != 0o700:
            os.fchmod(fd, 0o700)
    except OSError as exc:
        return 'cannot set its mode to 0700 (%s)' % (exc.strerror or exc)
    finally:
        os.close(fd)
    return None


def _load(path):
    """The JSON in path when it is a regular file of ours, closed to others; else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o077:
            return None
        with os.fdopen(fd, 'rb') as handle:
            fd = None
            return json.loads(handle.read().decode('utf-8'))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    finally:
        if fd is not None:
            os.close(fd)
