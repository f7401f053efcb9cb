# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller-side cache of public key material for the scwkms_public_key lookup. Private.

Why a disk cache: Ansible renders a template once per host, each in a forked worker process, so
memory in the lookup never outlives one host's task. Public keys are public, and a Key Manager
key's public key never changes (asymmetric keys are not rotatable), so caching them briefly on the
controller lets N hosts cost one request per distinct key.

Rules:
* only public data is stored: the PEM as served and key ids/names/algorithms; never a credential
  (the API URL is stored without any user:password part);
* a directory of mode 0700 owned by the current user, files of mode 0600, written atomically
  (temporary file + rename); a directory that is not ours or is open to others is not used;
* entries are keyed by a SHA-256 of their identity (API endpoint, region, key id; or project and
  name for a name's resolution) and checked against it when read; they expire after `ttl` seconds;
* one lock file per entry (flock), so workers asking for the same key at the same moment wait for
  the first one's answer instead of each making the request;
* any cache I/O problem disables the cache for the run (with one warning), never the lookup.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import stat
import tempfile
import time
from contextlib import contextmanager

try:
    from urllib.parse import urlsplit, urlunsplit
except ImportError:  # pragma: no cover - Python 2 is not supported on the controller
    from urlparse import urlsplit, urlunsplit

CACHE_FORMAT = 1
# A cached entry whose timestamp is this far in the future (clock moved back) is not trusted.
CLOCK_SKEW = 5.0


def public_url(url):
    """The API URL without user:password, so nothing secret lands in a cache file."""
    parts = urlsplit(url)
    host = parts.hostname or ''
    if parts.port:
        host = '%s:%d' % (host, parts.port)
    return urlunsplit((parts.scheme, host, parts.path.rstrip('/'), '', ''))


class PublicKeyCache(object):

    def __init__(self, directory, ttl, enabled=True, clock=time.time, warn=None):
        self.directory = os.path.expanduser(directory) if directory else None
        self.ttl = float(ttl or 0)
        self.enabled = bool(enabled) and self.directory is not None and self.ttl > 0
        self.clock = clock
        self._warn = warn
        self._ready = False
        self.hits = 0
        self.misses = 0

    # -- public --------------------------------------------------------------------------------

    def get_or_fetch(self, identity, fetch):
        """The cached value for identity (a dict of strings), else fetch() stored and returned.
        fetch() must return a JSON-serializable dict of public data."""
        if not self.enabled or not self._prepare():
            self.misses += 1
            return fetch()
        path = self._path(identity)
        value = self._read(path, identity)
        if value is not None:
            self.hits += 1
            return value
        with self._locked(path):
            value = self._read(path, identity)  # another worker may have fetched it while we waited
            if value is not None:
                self.hits += 1
                return value
            self.misses += 1
            value = fetch()
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
            if not os.path.isdir(self.directory):
                os.makedirs(self.directory, 0o700)
            info = os.stat(self.directory)
        except OSError as exc:
            if exc.errno == errno.EEXIST and os.path.isdir(self.directory):
                info = os.stat(self.directory)
            else:
                return self._disable('cannot create the directory (%s)' % (exc.strerror or exc))
        if not stat.S_ISDIR(info.st_mode):
            return self._disable('it is not a directory')
        if info.st_uid != os.geteuid():
            return self._disable('the directory belongs to another user (uid %d)' % info.st_uid)
        if stat.S_IMODE(info.st_mode) != 0o700:
            try:
                os.chmod(self.directory, 0o700)
            except OSError as exc:
                return self._disable('cannot set its mode to 0700 (%s)' % (exc.strerror or exc))
        self._ready = True
        return True

    def _path(self, identity):
        canonical = json.dumps(identity, sort_keys=True, separators=(',', ':'))
        return os.path.join(self.directory, hashlib.sha256(canonical.encode('utf-8')).hexdigest() + '.json')

    # -- entries -------------------------------------------------------------------------------

    def _read(self, path, identity):
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0))
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o077:
                return None
            with os.fdopen(fd, 'rb') as handle:
                fd = None
                entry = json.loads(handle.read().decode('utf-8'))
        except (OSError, ValueError, UnicodeDecodeError):
            return None
        finally:
            if fd is not None:
                os.close(fd)
        if not isinstance(entry, dict) or entry.get('format') != CACHE_FORMAT or entry.get('identity') != identity:
            return None
        stored = entry.get('stored_at')
        if not isinstance(stored, (int, float)):
            return None
        now = self.clock()
        if stored > now + CLOCK_SKEW or now - stored >= self.ttl:
            return None
        value = entry.get('value')
        return value if isinstance(value, dict) else None

    def _write(self, path, identity, value):
        entry = {'format': CACHE_FORMAT, 'identity': identity, 'stored_at': self.clock(), 'value': value}
        data = json.dumps(entry, sort_keys=True).encode('utf-8')
        temporary = None
        try:
            fd, temporary = tempfile.mkstemp(prefix='.tmp-', suffix='.json', dir=self.directory)  # mode 0600
            with os.fdopen(fd, 'wb') as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o600)
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
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0), 0o600)
        except OSError as exc:
            self._disable('cannot create the lock file %s (%s)' % (lock_path, exc.strerror or exc))
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
