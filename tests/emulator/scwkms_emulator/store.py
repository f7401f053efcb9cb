"""Thread-safe key storage with tenancy, lazy purge and lazy automatic rotation.

One lock guards every key. Time-driven transitions (the purge 7 days after a deletion request and
automatic rotations) are applied lazily whenever a key is looked at, which is indistinguishable
from a background job for a client.
"""

import threading

from . import errors
from .wire import format_timestamp


class KeyStore:
    def __init__(self, clock):
        self.clock = clock
        self.lock = threading.RLock()
        self._keys = {}

    def insert(self, key):
        with self.lock:
            self._keys[key.id] = key

    def clear(self):
        with self.lock:
            self._keys.clear()

    def find(self, key_id, region, principal):
        """The key as ``principal`` may see it in ``region``, or 404 (also for another project's key)."""
        with self.lock:
            key = self._keys.get(key_id)
            if key is None or key.region != region or not principal.can_use(key.project_id) or not self._settle(key):
                raise errors.not_found(key_id)
            return key

    def find_any(self, key_id):
        """Any key by id, whatever its project or region (control endpoints only)."""
        with self.lock:
            key = self._keys.get(key_id)
            if key is None or not self._settle(key):
                raise errors.not_found(key_id)
            return key

    def visible(self, region, principal):
        """Every key of ``region`` that ``principal`` may see, after timed transitions."""
        with self.lock:
            keys = [key for key in self._keys.values() if key.region == region and principal.can_use(key.project_id)]
            return [key for key in keys if self._settle(key)]

    def edit(self, call, mutate):
        """Apply ``mutate(key, now)`` to the key of ``call`` under the lock and return the key's JSON.

        A locked key is refused. ``updated_at`` becomes ``now`` only if something visible changed, so
        idempotent calls (enable on an enabled key...) leave the key untouched.
        """
        with self.lock:
            key = self.find(call.key_id, call.region, call.principal)
            if key.locked:
                raise errors.locked(key.id)
            now = self.clock.now()
            before = key.to_json()
            mutate(key, now)
            after = key.to_json()
            if after != before:
                key.updated_at = now
                after["updated_at"] = format_timestamp(now)
            return after

    def _settle(self, key):
        """Apply due timed transitions; False when the key has just been purged."""
        now = self.clock.now()
        if key.purge_due(now):
            del self._keys[key.id]
            return False
        key.apply_due_rotations(now)
        return True
