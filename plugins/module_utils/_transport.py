# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One HTTP exchange with the API, and how its failures read. Private; only _calls.py uses it.

* Redirects are never followed: requests keeps X-Auth-Token (it strips only Authorization) and the
  body on a redirect, so a 3xx would hand the token, and any key material, to another host.
* `timeout` bounds the whole exchange. requests' own timeout applies to each socket operation, so a
  server sending a byte every second would never trip it, headers included; the exchange therefore
  runs in a worker thread that the caller waits for at most `timeout` seconds (reaching the socket
  to shorten each read would need urllib3's private attributes, and would not bound the headers).
"""

from __future__ import annotations

import json
import threading
import time
from collections import namedtuple
from datetime import timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

try:
    import requests
    HAS_REQUESTS = True
except ImportError:  # _module.require_requests reports it, with the traceback (_options.import_error)
    HAS_REQUESTS = False

Answer = namedtuple('Answer', ['status', 'reason', 'headers', 'body'])
"""A complete response: status code, reason phrase, headers, and the body as bytes."""

CONNECT_TIMEOUT_CAP = 10.0
CHUNK_SIZE = 16384


class ExchangeTimeout(Exception):
    """No complete response within the time allowed."""


if HAS_REQUESTS:
    TRANSPORT_ERRORS = (ExchangeTimeout, requests.exceptions.RequestException)
    _LOST = (requests.exceptions.ConnectionError, requests.exceptions.Timeout, requests.exceptions.ChunkedEncodingError)
else:
    TRANSPORT_ERRORS = _LOST = (ExchangeTimeout,)


def new_session():
    return requests.Session()


def transport_failure(exc, api_url, seconds):
    """(message, retryable, maybe_applied) for an exception raised by exchange()."""
    if isinstance(exc, ExchangeTimeout):
        return f'no complete response within {seconds:g} s (timeout)', True, True
    if HAS_REQUESTS and isinstance(exc, requests.exceptions.SSLError):
        return f'TLS error talking to {api_url}: {exc}', False, False
    if isinstance(exc, _LOST):
        if never_connected(exc):
            return f'cannot connect to {api_url} ({type(exc).__name__})', True, False
        return f'no response ({type(exc).__name__})', True, True
    return f'request failed: {exc}', False, False


def exchange(session, method, url, seconds, **kwargs):
    """The Answer to one request, complete within `seconds`; raises requests' exceptions, or
    ExchangeTimeout. A worker left behind stops at its own deadline once headers arrive."""
    deadline = time.monotonic() + seconds
    outcome = {}

    def run():
        try:
            outcome['answer'] = _send(session, method, url, deadline, seconds, kwargs)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            outcome['error'] = exc  # re-raised in the caller's thread

    worker = threading.Thread(target=run, name='scwkms-request', daemon=True)
    worker.start()
    worker.join(seconds)
    if 'error' in outcome:
        raise outcome['error']
    if worker.is_alive() or 'answer' not in outcome:
        raise ExchangeTimeout()
    return outcome['answer']


def _send(session, method, url, deadline, seconds, kwargs):
    timeout = (min(CONNECT_TIMEOUT_CAP, seconds), seconds)
    try:
        response = session.request(method, url, timeout=timeout, allow_redirects=False, stream=True, **kwargs)
    except requests.exceptions.TooManyRedirects as exc:
        # With max_redirects=0 requests raises on any 3xx even when not following it: same answer.
        response = exc.response
    try:
        redirect = 300 <= response.status_code < 400
        body = b'' if redirect else _read_body(response, deadline)
    finally:
        response.close()
    return Answer(response.status_code, response.reason or '', response.headers, body)


def _read_body(response, deadline):
    chunks = []
    for chunk in response.iter_content(CHUNK_SIZE):
        if time.monotonic() > deadline:
            raise ExchangeTimeout()
        chunks.append(chunk)
    return b''.join(chunks)


def never_connected(exc):
    """True when a ConnectionError happened before the request was sent (refused, DNS, ...)."""
    text = repr(exc)
    return any(marker in text for marker in ('NewConnectionError', 'NameResolutionError', 'Connection refused',
                                             'ConnectTimeout', 'Failed to establish a new connection'))


def redirect_target(url, location):
    """host[:port] a redirect points to: never the path or query, which may carry anything."""
    if not location:
        return None
    try:
        target = urlsplit(urljoin(url, location))
        port = target.port
    except ValueError:
        return 'an unparsable location'
    host = target.hostname or '?'
    return f'{host}:{port}' if port else host


def describe_error_body(status, reason, text):
    """(error_type, message, details) from an error response, including empty and non-JSON bodies."""
    reason = reason or 'error'
    if not text or not text.strip():
        if status == 429:
            return 'rate_limited', 'too many requests (rate limited, empty response body)', {}
        return None, f'{reason} (empty response body)', {}
    try:
        body = json.loads(text)
    except ValueError:
        return None, f'{reason} (non-JSON response body: {text[:200]})', {}
    if not isinstance(body, dict):
        return None, f'{reason}: {text[:200]}', {}
    message = body.get('message') or reason
    extra = [body['help_message']] if body.get('help_message') else []
    for detail in body.get('details') or []:
        if isinstance(detail, dict) and detail.get('argument_name'):
            extra.append(f"{detail['argument_name']}: {detail.get('help_message') or ''} ({detail.get('reason') or ''})")
    if body.get('precondition'):
        extra.append(f"precondition {body['precondition']}")
    if extra:
        message = f"{message}: {'; '.join(str(item) for item in extra)}"
    details = {key: value for key, value in body.items() if key not in ('message', 'type')}
    return body.get('type'), message, details


def retry_after(value):
    """Seconds from a Retry-After header given in seconds (HTTP dates are rare here: ignored)."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def server_date(value):
    """The aware UTC datetime of a Date header, or None when absent or unreadable."""
    try:
        date = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    if date is None:
        return None
    return date.replace(tzinfo=timezone.utc) if date.tzinfo is None else date.astimezone(timezone.utc)
