# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one client for the Key Manager HTTP API (v1alpha1). Private to this collection.

It knows nothing of Ansible: modules wrap it with _module.py, plugins with plugin_utils/_lookup.py.
One typed method per endpoint the collection uses; how a call is made, retried, read back after
an ambiguous failure, checked and scrubbed is _calls.py; one HTTP exchange is _transport.py; the
wire encodings and the answer shapes are _wire.py.
"""

from __future__ import annotations

from . import _wire
from ._algorithms import usage_body
from ._calls import NOT_APPLIED, ApiCalls
from ._errors import KeyManagerError
from ._lost_create import settle_lost_create
from ._wire import b64decode, b64encode, rotation_policy_body

__all__ = ['KeyManagerClient', 'KeyManagerError', 'NOT_APPLIED']

API_PREFIX = '/key-manager/v1alpha1/regions/%s'
DEFAULT_PAGE_SIZE = 100


class KeyManagerClient(ApiCalls):
    """Typed methods over the Key Manager endpoints; keys are returned as the API sends them.

    KeyManagerClient(settings, session=None, sleep=time.sleep, clock=time.monotonic, rng=random.random,
    wall_clock=time.time): everything after settings is injectable for tests."""

    def _path(self, region, suffix):
        return (API_PREFIX % (region or self.settings.region)) + suffix

    # -- keys ------------------------------------------------------------------------------------

    def get_key(self, key_id, region=None):
        """The Key, or None when it does not exist (or no longer does)."""
        try:
            return self.request('GET', self._path(region, f'/keys/{key_id}'), shape=_wire.KEY)
        except KeyManagerError as exc:
            if exc.status == 404:
                return None
            raise

    def list_keys(self, name=None, tags=None, usage=None, project_id=None, organization_id=None,
                  scheduled_for_deletion=False, order_by='name_asc', page_size=DEFAULT_PAGE_SIZE, region=None):
        """Every page of a filtered list, until a short or empty page or total_count is reached."""
        query = {'order_by': order_by, 'page_size': page_size,
                 'scheduled_for_deletion': 'true' if scheduled_for_deletion else 'false'}
        optional = {'name': name, 'usage': usage, 'project_id': project_id or self.settings.project_id,
                    'organization_id': organization_id, 'tags': list(tags) if tags else None}
        query.update({key: value for key, value in optional.items() if value})
        keys, page = [], 1
        while True:
            query['page'] = page
            body = self.request('GET', self._path(region, '/keys'), query=dict(query), shape=_wire.KEY_LIST)
            keys.extend(body['keys'])
            if len(body['keys']) < page_size or len(keys) >= body['total_count']:
                return keys
            page += 1

    def create_key(self, name, algorithm, project_id=None, description=None, tags=None, rotation_policy=None,
                   protected=True, origin='scaleway_kms', region=None, known_ids=()):
        """Create a key. known_ids are the ids of keys with this name the caller already saw: after
        a lost response, a key with this name that is not among them is the one this call made."""
        body = {
            'project_id': project_id or self.settings.project_id,
            'name': name,
            'usage': usage_body(algorithm),
            'description': description,
            'tags': list(tags or []),
            'rotation_policy': rotation_policy_body(rotation_policy),
            'unprotected': not protected,
            'origin': origin,
        }
        body = {key: value for key, value in body.items() if value is not None}

        def created():
            return settle_lost_create(self, name, body['project_id'], region, known_ids)

        key = self.request('POST', self._path(region, '/keys'), body, applied=created, shape=_wire.KEY)
        self.created_ids[key['id'].lower()] = self._clock()
        return key

    def update_key(self, key_id, name=None, description=None, tags=None, rotation_policy=None, region=None):
        """PATCH with only the given fields; the same PATCH twice is harmless, so it may be repeated."""
        body = {'name': name, 'description': description,
                'tags': None if tags is None else list(tags),
                'rotation_policy': rotation_policy_body(rotation_policy)}
        body = {key: value for key, value in body.items() if value is not None}
        return self.request('PATCH', self._path(region, f'/keys/{key_id}'), body, shape=_wire.KEY)

    def delete_key(self, key_id, region=None):
        """Schedule deletion (the API purges the key 7 days later)."""
        def scheduled():
            key = self.get_key(key_id, region)
            return None if key is None or key['state'] == 'scheduled_for_deletion' else NOT_APPLIED
        self.request('DELETE', self._path(region, f'/keys/{key_id}'), applied=scheduled)

    def restore_key(self, key_id, region=None):
        def restored():
            key = self.get_key(key_id, region)
            return key if key is not None and key['state'] != 'scheduled_for_deletion' else NOT_APPLIED
        return self._action(key_id, 'restore', region, applied=restored)

    def rotate_key(self, key_id, region=None, current=None):
        """Rotate once. current is the key as last read (its rotation_count tells whether a lost
        response hid a rotation); without it the key is read first."""
        baseline = (current or self.get_key(key_id, region) or {}).get('rotation_count', 0)
        return self._action(key_id, 'rotate', region, applied=self._rotation_check(key_id, region, baseline))

    def enable_key(self, key_id, region=None):
        return self._action(key_id, 'enable', region)

    def disable_key(self, key_id, region=None):
        return self._action(key_id, 'disable', region)

    def protect_key(self, key_id, region=None):
        return self._action(key_id, 'protect', region)

    def unprotect_key(self, key_id, region=None):
        return self._action(key_id, 'unprotect', region)

    def import_key_material(self, key_id, key_material, salt=None, region=None, current=None):
        """Import (or, on a key that has material, rotate by re-importing) external key material."""
        self.add_secret(key_material)
        baseline = (current or self.get_key(key_id, region) or {}).get('rotation_count', 0)
        body = {'key_material': b64encode(key_material)}
        if salt:
            body['salt'] = b64encode(salt)
        return self.request('POST', self._path(region, f'/keys/{key_id}/import-key-material'), body,
                            applied=self._rotation_check(key_id, region, baseline), shape=_wire.KEY)

    def _rotation_check(self, key_id, region, baseline):
        def rotated():
            key = self.get_key(key_id, region)
            return key if key is not None and key['rotation_count'] > baseline else NOT_APPLIED
        return rotated

    def _action(self, key_id, action, region, applied=None):
        # enable/disable/protect/unprotect set a state, so sending them twice is harmless.
        return self.request('POST', self._path(region, f'/keys/{key_id}/{action}'), {}, applied=applied,
                            shape=_wire.KEY)

    # -- cryptography (no state changes: safe to repeat) ---------------------------------------------

    def _crypto(self, key_id, operation, body, shape, region):
        return self.request('POST', self._path(region, f'/keys/{key_id}/{operation}'), body, shape=shape)

    def get_public_key(self, key_id, region=None):
        """The PEM exactly as served."""
        return self.request('GET', self._path(region, f'/keys/{key_id}/public-key'), shape=_wire.PUBLIC_KEY)['pem']

    def sign(self, key_id, digest, region=None):
        answer = self._crypto(key_id, 'sign', {'digest': b64encode(digest)}, _wire.SIGNATURE, region)
        return b64decode(answer['signature'])

    def verify(self, key_id, digest, signature, region=None):
        """True only for a JSON true: a string such as "false" is a malformed answer, never a pass."""
        body = {'digest': b64encode(digest), 'signature': b64encode(signature)}
        return self._crypto(key_id, 'verify', body, _wire.VERIFICATION, region)['valid'] is True

    def encrypt(self, key_id, plaintext, associated_data=None, region=None):
        self.add_secret(plaintext)
        body = {'plaintext': b64encode(plaintext)}
        if associated_data:
            body['associated_data'] = b64encode(associated_data)
        return b64decode(self._crypto(key_id, 'encrypt', body, _wire.CIPHERTEXT, region)['ciphertext'])

    def decrypt(self, key_id, ciphertext, associated_data=None, region=None):
        """(plaintext, re-encrypted ciphertext or None when already under the newest rotation)."""
        body = {'ciphertext': b64encode(ciphertext)}
        if associated_data:
            body['associated_data'] = b64encode(associated_data)
        answer = self._crypto(key_id, 'decrypt', body, _wire.PLAINTEXT, region)
        return b64decode(answer['plaintext']), b64decode(answer['ciphertext'])

    def generate_data_key(self, key_id, without_plaintext=False, region=None):
        """(plaintext data key or None, encrypted data key)."""
        body = {'algorithm': 'aes_256_gcm', 'without_plaintext': bool(without_plaintext)}
        shape = _wire.SEALED_DATA_KEY if without_plaintext else _wire.DATA_KEY
        answer = self._crypto(key_id, 'generate-data-key', body, shape, region)
        return b64decode(answer['plaintext']), b64decode(answer['ciphertext'])
