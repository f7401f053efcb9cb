# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one client for the Key Manager HTTP API (v1alpha1). Private to this collection.

It knows nothing of Ansible: modules wrap it with _module.py, plugins with plugin_utils/_lookup.py.
Rules it keeps for every caller:
* one requests.Session per client, so a run reuses its connections;
* retries in one place: connection errors, 408, 429 and 5xx, exponential backoff with jitter,
  Retry-After honoured, bounded by max_retries and retry_deadline;
* a write that may have been applied (response lost after sending) is never repeated blindly:
  the client reads the resource back first, so a fault never duplicates a key or an action.
"""

from __future__ import annotations

import base64
import json
import random
import time
import traceback

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ._algorithms import usage_body
from ._durations import to_proto_duration

API_PREFIX = '/key-manager/v1alpha1/regions/%s'
USER_AGENT = 'scwkms.key_manager/0.1.0 (Ansible collection)'
DEFAULT_PAGE_SIZE = 100

# 503 and 429 mean the request was turned away before it was processed; 500, 502 and 504 may
# come after the backend applied a write, so for writes they are treated like a lost response.
RETRY_STATUSES = frozenset((408, 429, 500, 502, 503, 504))
MAYBE_APPLIED_STATUSES = frozenset((500, 502, 504))
BACKOFF_BASE = 0.25
BACKOFF_CAP = 10.0


class KeyManagerError(Exception):
    """A failed API call. str() and to_dict() name the call and the API's reason, never a secret."""

    def __init__(self, message, method=None, path=None, status=None, error_type=None, details=None):
        super(KeyManagerError, self).__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.error_type = error_type
        self.details = details or {}

    def __str__(self):
        where = '%s %s: ' % (self.method, self.path) if self.method else ''
        status = 'HTTP %s ' % self.status if self.status else ''
        kind = '%s: ' % self.error_type if self.error_type else ''
        return '%s%s%s%s' % (where, status, kind, self.message)

    def to_dict(self):
        return {'method': self.method, 'path': self.path, 'status': self.status,
                'type': self.error_type, 'message': self.message, 'details': self.details}


class _NotApplied(object):
    """Returned by a read-back check when the write did not take effect and may be sent again."""


NOT_APPLIED = _NotApplied()


def b64encode(data):
    return base64.b64encode(data).decode('ascii')


def b64decode(text):
    """Lenient, as protojson: standard or URL-safe alphabet, padding optional."""
    if text is None:
        return None
    text = text.strip()
    padded = text + '=' * (-len(text) % 4)
    if '-' in text or '_' in text:
        return base64.urlsafe_b64decode(padded)
    return base64.b64decode(padded)


def rotation_policy_body(policy):
    """{'rotation_period': seconds, 'next_rotation_at': str|None} -> the wire form."""
    if policy is None:
        return None
    return {'rotation_period': to_proto_duration(policy['rotation_period']),
            'next_rotation_at': policy.get('next_rotation_at')}


def describe_error_body(status, reason, text):
    """(error_type, message, details) from an error response, including empty and non-JSON bodies."""
    if not text or not text.strip():
        if status == 429:
            return 'rate_limited', 'too many requests (rate limited, empty response body)', {}
        return None, '%s (empty response body)' % (reason or 'error'), {}
    try:
        body = json.loads(text)
    except ValueError:
        return None, '%s (non-JSON response body: %s)' % (reason or 'error', text[:200]), {}
    if not isinstance(body, dict):
        return None, '%s: %s' % (reason or 'error', text[:200]), {}
    message = body.get('message') or reason or 'error'
    extra = [body[name] for name in ('help_message',) if body.get(name)]
    for detail in body.get('details') or []:
        if isinstance(detail, dict) and detail.get('argument_name'):
            extra.append('%s: %s (%s)' % (detail['argument_name'], detail.get('help_message') or '', detail.get('reason') or ''))
    if body.get('precondition'):
        extra.append('precondition %s' % body['precondition'])
    if extra:
        message = '%s: %s' % (message, '; '.join(extra))
    details = {key: value for key, value in body.items() if key not in ('message', 'type')}
    return body.get('type'), message, details


class KeyManagerClient(object):
    """Typed methods over the Key Manager endpoints; keys are returned as the API sends them."""

    def __init__(self, settings, session=None, sleep=time.sleep, clock=time.monotonic, rng=random.random):
        if session is None:
            if not HAS_REQUESTS:
                raise KeyManagerError('the requests Python package is required')
            session = requests.Session()
        self.settings = settings
        self.session = session
        self._sleep = sleep
        self._clock = clock
        self._rng = rng
        self.session.headers.update({
            'X-Auth-Token': settings.secret_key,
            'Accept': 'application/json',
            'User-Agent': USER_AGENT,
        })

    # -- transport ---------------------------------------------------------------------------

    def _path(self, region, suffix):
        return (API_PREFIX % (region or self.settings.region)) + suffix

    def request(self, method, path, body=None, query=None, applied=None):
        """Send one API call with retries. `applied` is None for calls that are safe to repeat;
        for other writes it is a function that reads the resource back after an ambiguous
        failure and returns the call's result if the write took effect, else NOT_APPLIED."""
        deadline = self._clock() + self.settings.retry_deadline
        attempt = 0
        while True:
            result, retry_after = self._attempt(method, path, body, query)
            if not isinstance(result, KeyManagerError):
                return result
            failure = result
            if failure.details.get('maybe_applied') and applied is not None:
                outcome = applied()
                if outcome is not NOT_APPLIED:
                    return outcome
            if not failure.details.get('retryable') or attempt >= self.settings.max_retries:
                raise self._final(failure, attempt)
            delay = self._backoff(attempt, retry_after)
            if self._clock() + delay > deadline:
                raise self._final(failure, attempt, deadline_reached=True)
            self._sleep(delay)
            attempt += 1

    def _final(self, failure, attempt, deadline_reached=False):
        for key in ('retryable', 'maybe_applied'):
            failure.details.pop(key, None)
        if attempt or deadline_reached:
            failure.message += ' (gave up after %d attempt%s%s)' % (
                attempt + 1, 's' if attempt else '', ', retry_deadline reached' if deadline_reached else '')
        return failure

    def _attempt(self, method, path, body, query):
        """One HTTP exchange: (result, None) on success, (KeyManagerError, retry_after) on failure."""
        url = self.settings.api_url + path
        data = None if body is None else json.dumps(body, separators=(',', ':'))
        headers = {'Content-Type': 'application/json'} if data is not None else None
        timeout = (min(10.0, self.settings.timeout), self.settings.timeout)
        try:
            response = self.session.request(method, url, params=query, data=data, headers=headers,
                                            timeout=timeout, verify=self.settings.validate_certs)
        except requests.exceptions.ConnectTimeout as exc:
            return self._transport_error(method, path, exc, sent=False), None
        except requests.exceptions.SSLError as exc:
            return KeyManagerError('TLS error talking to %s: %s' % (self.settings.api_url, exc), method, path), None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            return self._transport_error(method, path, exc, sent=not _never_connected(exc)), None
        except requests.exceptions.RequestException as exc:
            return KeyManagerError('request failed: %s' % exc, method, path), None
        return self._read_response(method, path, response)

    def _transport_error(self, method, path, exc, sent):
        reason = 'no response (%s)' % type(exc).__name__ if sent else 'cannot connect to %s (%s)' % (self.settings.api_url, type(exc).__name__)
        return KeyManagerError(reason, method, path, details={'retryable': True, 'maybe_applied': sent})

    def _read_response(self, method, path, response):
        if 200 <= response.status_code < 300:
            if response.status_code == 204 or not response.content:
                return None, None
            try:
                return response.json(), None
            except ValueError:
                return KeyManagerError('the API answered HTTP %s with a body that is not JSON' % response.status_code,
                                       method, path, response.status_code), None
        error_type, message, details = describe_error_body(response.status_code, response.reason, response.text)
        if response.status_code in RETRY_STATUSES:
            details['retryable'] = True
            details['maybe_applied'] = response.status_code in MAYBE_APPLIED_STATUSES
        error = KeyManagerError(message, method, path, response.status_code, error_type, details)
        return error, _retry_after(response.headers.get('Retry-After'))

    def _backoff(self, attempt, retry_after):
        if retry_after is not None:
            return retry_after
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt))
        return ceiling / 2 + self._rng() * ceiling / 2

    # -- keys ----------------------------------------------------------------------------------

    def get_key(self, key_id, region=None):
        """The Key, or None when it does not exist (or no longer does)."""
        try:
            return self.request('GET', self._path(region, '/keys/%s' % key_id))
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
            body = self.request('GET', self._path(region, '/keys'), query=dict(query)) or {}
            batch = body.get('keys') or []
            keys.extend(batch)
            if len(batch) < page_size or len(keys) >= int(body.get('total_count') or 0):
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
        path = self._path(region, '/keys')

        def created():
            if not name:
                return NOT_APPLIED
            found = [key for key in self.list_keys(name=name, project_id=body['project_id'], region=region)
                     if key.get('name') == name and key['id'] not in known_ids]
            return found[0] if found else NOT_APPLIED

        return self.request('POST', path, body, applied=created)

    def update_key(self, key_id, name=None, description=None, tags=None, rotation_policy=None, region=None):
        """PATCH with only the given fields; the same PATCH twice is harmless, so it may be repeated."""
        body = {'name': name, 'description': description,
                'tags': None if tags is None else list(tags),
                'rotation_policy': rotation_policy_body(rotation_policy)}
        body = {key: value for key, value in body.items() if value is not None}
        return self.request('PATCH', self._path(region, '/keys/%s' % key_id), body)

    def delete_key(self, key_id, region=None):
        """Schedule deletion (the API purges the key 7 days later)."""
        def scheduled():
            key = self.get_key(key_id, region)
            return None if key is None or key.get('state') == 'scheduled_for_deletion' else NOT_APPLIED
        return self.request('DELETE', self._path(region, '/keys/%s' % key_id), applied=scheduled)

    def restore_key(self, key_id, region=None):
        def restored():
            key = self.get_key(key_id, region)
            return key if key is not None and key.get('state') != 'scheduled_for_deletion' else NOT_APPLIED
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
        baseline = (current or self.get_key(key_id, region) or {}).get('rotation_count', 0)
        body = {'key_material': b64encode(key_material)}
        if salt:
            body['salt'] = b64encode(salt)
        return self.request('POST', self._path(region, '/keys/%s/import-key-material' % key_id), body,
                            applied=self._rotation_check(key_id, region, baseline))

    def delete_key_material(self, key_id, region=None, current=None):
        baseline = (current or self.get_key(key_id, region) or {}).get('rotation_count', 0)

        def removed():
            key = self.get_key(key_id, region)
            return None if key is not None and key.get('rotation_count', 0) < baseline else NOT_APPLIED
        return self.request('POST', self._path(region, '/keys/%s/delete-key-material' % key_id), {}, applied=removed)

    def _rotation_check(self, key_id, region, baseline):
        def rotated():
            key = self.get_key(key_id, region)
            return key if key is not None and key.get('rotation_count', 0) > baseline else NOT_APPLIED
        return rotated

    def _action(self, key_id, action, region, applied=None):
        # enable/disable/protect/unprotect set a state, so sending them twice is harmless.
        return self.request('POST', self._path(region, '/keys/%s/%s' % (key_id, action)), {}, applied=applied)

    # -- cryptography (no state changes: safe to repeat) ---------------------------------------

    def get_public_key(self, key_id, region=None):
        return self.request('GET', self._path(region, '/keys/%s/public-key' % key_id))['pem']

    def sign(self, key_id, digest, region=None):
        body = self.request('POST', self._path(region, '/keys/%s/sign' % key_id), {'digest': b64encode(digest)})
        return b64decode(body['signature'])

    def verify(self, key_id, digest, signature, region=None):
        body = self.request('POST', self._path(region, '/keys/%s/verify' % key_id),
                            {'digest': b64encode(digest), 'signature': b64encode(signature)})
        return bool(body.get('valid'))

    def encrypt(self, key_id, plaintext, associated_data=None, region=None):
        body = {'plaintext': b64encode(plaintext)}
        if associated_data:
            body['associated_data'] = b64encode(associated_data)
        return b64decode(self.request('POST', self._path(region, '/keys/%s/encrypt' % key_id), body)['ciphertext'])

    def decrypt(self, key_id, ciphertext, associated_data=None, region=None):
        """(plaintext, re-encrypted ciphertext or None when already under the newest rotation)."""
        body = {'ciphertext': b64encode(ciphertext)}
        if associated_data:
            body['associated_data'] = b64encode(associated_data)
        answer = self.request('POST', self._path(region, '/keys/%s/decrypt' % key_id), body)
        return b64decode(answer['plaintext']), b64decode(answer.get('ciphertext'))

    def generate_data_key(self, key_id, without_plaintext=False, region=None):
        """(plaintext data key or None, encrypted data key)."""
        answer = self.request('POST', self._path(region, '/keys/%s/generate-data-key' % key_id),
                              {'algorithm': 'aes_256_gcm', 'without_plaintext': bool(without_plaintext)})
        return b64decode(answer.get('plaintext')), b64decode(answer['ciphertext'])

    def list_algorithms(self, region=None):
        return (self.request('GET', self._path(region, '/algorithms')) or {}).get('algorithms', [])


def _never_connected(exc):
    """True when a ConnectionError happened before the request was sent (refused, DNS, ...)."""
    text = repr(exc)
    return any(marker in text for marker in ('NewConnectionError', 'NameResolutionError', 'Connection refused',
                                             'ConnectTimeout', 'Failed to establish a new connection'))


def _retry_after(value):
    """Seconds from a Retry-After header given in seconds (HTTP dates are rare here: ignored)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
