# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How the client makes one API call: retries, deadlines, read-backs, checks, scrubbing. Private.

The base of KeyManagerClient (_client.py), which adds one typed method per endpoint. Rules it keeps:
* retries in one place: connection errors, 408, 429 and 5xx, exponential backoff with jitter,
  Retry-After honoured, bounded by max_retries; retry_deadline bounds a whole call with its retries,
  read-backs and the request in flight, and timeout each request, its body included (_transport.py);
* a write that may have been applied (response lost after sending) is never repeated blindly: the
  caller's read-back decides first, so a fault never duplicates a key or an action;
* a 3xx is an error: redirects are never followed, they would carry the token;
* every success body is checked for the shape its call needs (_wire.py) before anyone uses it;
* every error raised is scrubbed of the secret key and of the values registered with add_secret();
* the API's clock is known from its Date headers (server_now()).
"""

from __future__ import annotations

import json
import random
import re
import time
from datetime import datetime, timedelta, timezone

from ._errors import KeyManagerError, secret_spellings
from ._transport import (
    HAS_REQUESTS, TRANSPORT_ERRORS, describe_error_body, exchange, new_session, redirect_target, retry_after,
    server_date, transport_failure,
)
from ._version import COLLECTION_VERSION
from ._wire import checked_body

USER_AGENT = f'scwkms.key_manager/{COLLECTION_VERSION} (Ansible collection)'

# [INF] Not documented by Scaleway, easy to change here: how long a key this client created may still
# answer 404 or be missing from lists (reference section 7.6), and how long a fresh token may answer
# 403 while IAM propagates (the Terraform provider retries those). Both also stop at retry_deadline.
CONSISTENCY_WINDOW = 10.0
IAM_PROPAGATION_WINDOW = 30.0
POLL_CAP = 2.0

_KEY_IN_PATH = re.compile(r'/keys/([0-9a-fA-F-]{36})(?:/|$)')
RETRY_STATUSES = frozenset((408, 429, 500, 502, 503, 504))
# 503 and 429 mean the request was turned away before it was processed; 500, 502 and 504 may
# come after the backend applied a write, so for writes they are treated like a lost response.
MAYBE_APPLIED_STATUSES = frozenset((500, 502, 504))
BACKOFF_BASE = 0.25
BACKOFF_CAP = 10.0


class _NotApplied:
    """Returned by a read-back check when the write did not take effect and may be sent again."""


NOT_APPLIED = _NotApplied()


class ApiCalls:
    """One client's connection, state and call machinery; see the module docstring."""

    def __init__(self, settings, session=None, sleep=time.sleep, clock=time.monotonic, rng=random.random,
                 wall_clock=time.time):
        if session is None:
            if not HAS_REQUESTS:
                raise KeyManagerError('the requests Python package is required')
            session = new_session()
        self.settings = settings
        self.session = session
        self._sleep, self._clock, self._rng, self._wall_clock = sleep, clock, rng, wall_clock
        self.created_ids = {}  # key id -> clock() when this client saw it created
        # Keys a create whose answer was lost settled on: maybe made by this call, maybe by a racer.
        self.uncertain_ids = set()
        self._secrets = [settings.secret_key]
        self._deadline = None  # of the call in progress, shared by its nested read-backs
        self._first_request = None
        self._authorized = False  # a request succeeded: a 403 is no longer IAM propagation
        self._server_date = None  # (Date header, clock() when received)
        session.max_redirects = 0  # second guard: every request also says allow_redirects=False
        session.headers.update({'X-Auth-Token': settings.secret_key, 'Accept': 'application/json',
                                'User-Agent': USER_AGENT})

    def add_secret(self, value):
        """Mask value (str or bytes), raw and in base64, stripped or not, in every error this client
        raises from now on (say, key material from a file, which no no_log option covers)."""
        self._secrets.extend(secret_spellings(value))

    def server_now(self):
        """The API's notion of now: the Date of its latest answer plus the time elapsed since; the
        host clock until the API has answered."""
        if self._server_date is None:
            return datetime.fromtimestamp(self._wall_clock(), timezone.utc)
        date, received = self._server_date
        return date + timedelta(seconds=max(0.0, self._clock() - received))

    def request(self, method, path, body=None, query=None, applied=None, shape=None):
        """One API call with retries: its JSON body, checked against shape (a _wire.Shape; None reads
        no body, for DELETE). `applied` is None for calls that are safe to repeat; for other writes it
        reads the resource back after an ambiguous failure and returns the call's result if the write
        took effect, else NOT_APPLIED."""
        outermost = self._deadline is None
        if outermost:
            self._deadline = self._clock() + self.settings.retry_deadline
        try:
            return self._retrying(method, path, body, query, applied, shape)
        except KeyManagerError as exc:
            raise exc.redact(self._secrets)
        finally:
            if outermost:
                self._deadline = None

    def _retrying(self, method, path, body, query, applied, shape):
        failures = waits = 0
        while True:
            result, asked_delay = self._attempt(method, path, body, query, shape)
            if not isinstance(result, KeyManagerError):
                return result
            if result.details.get('maybe_applied') and applied is not None:
                outcome = applied()
                if outcome is not NOT_APPLIED:
                    return outcome
            # Propagation waits are not failures: they do not use up max_retries.
            if self._propagating(result, path):
                delay, waits = self._jittered(waits, POLL_CAP), waits + 1
            elif result.details.get('retryable') and failures < self.settings.max_retries:
                delay = self._jittered(failures, BACKOFF_CAP) if asked_delay is None else asked_delay
                failures += 1
            else:
                raise _final(result, failures + waits)
            if self._clock() + delay > self._deadline:
                raise _final(result, failures + waits, deadline_reached=True)
            self._sleep(delay)

    def _propagating(self, failure, path):
        """True for an answer that only says the API has not caught up yet with this client."""
        if failure.status == 404:
            match = _KEY_IN_PATH.search(path)
            created = self.created_ids.get(match.group(1).lower()) if match else None
            return created is not None and self._clock() - created < CONSISTENCY_WINDOW
        if failure.status == 403 and failure.error_type == 'permissions_denied' and not self._authorized:
            return self._clock() - self._first_request < IAM_PROPAGATION_WINDOW
        return False

    def _jittered(self, attempt, cap):
        ceiling = min(cap, BACKOFF_BASE * (2 ** min(attempt, 16)))
        return ceiling / 2 + self._rng() * ceiling / 2

    def _attempt(self, method, path, body, query, shape):
        """One exchange: (result, None) on success, (KeyManagerError, Retry-After or None) on failure."""
        seconds = min(self.settings.timeout, self._deadline - self._clock())
        if seconds <= 0:
            return KeyManagerError('retry_deadline reached before the request was sent', method, path), None
        if self._first_request is None:
            self._first_request = self._clock()
        data = None if body is None else json.dumps(body, separators=(',', ':'))
        headers = {'Content-Type': 'application/json'} if data is not None else None
        try:
            answer = exchange(self.session, method, self.settings.api_url + path, seconds, params=query, data=data,
                              headers=headers, verify=self.settings.validate_certs)
        except TRANSPORT_ERRORS as exc:
            message, retryable, sent = transport_failure(exc, self.settings.api_url, seconds)
            return KeyManagerError(message, method, path, details={'retryable': retryable, 'maybe_applied': sent}), None
        date = server_date(answer.headers.get('Date'))
        if date is not None:
            self._server_date = (date, self._clock())
        return self._interpret(method, path, answer, shape)

    def _interpret(self, method, path, answer, shape):
        status = answer.status
        if 300 <= status < 400:
            target = redirect_target(self.settings.api_url + path, answer.headers.get('Location'))
            where = f'a redirect to host {target}' if target else 'a redirect with no Location'
            return KeyManagerError(f'the API answered HTTP {status}, {where}; redirects are not followed '
                                   '(they would carry the token)', method, path, status, 'redirect'), None
        if status < 300:
            self._authorized = True
            return checked_body(method, path, answer.status, answer.body, shape), None
        error_type, message, details = describe_error_body(status, answer.reason, answer.body.decode('utf-8', 'replace'))
        if status in RETRY_STATUSES:
            details.update(retryable=True, maybe_applied=status in MAYBE_APPLIED_STATUSES)
        error = KeyManagerError(message, method, path, status, error_type, details)
        return error, retry_after(answer.headers.get('Retry-After'))


def _final(failure, retries, deadline_reached=False):
    for flag in ('retryable', 'maybe_applied'):
        failure.details.pop(flag, None)
    if retries or deadline_reached:
        plural = 's' if retries else ''
        reached = ', retry_deadline reached' if deadline_reached else ''
        failure.message += f' (gave up after {retries + 1} attempt{plural}{reached})'
    return failure
