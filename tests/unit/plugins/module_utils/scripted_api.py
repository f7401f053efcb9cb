# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The client against a scripted session (every request it makes is recorded and asserted), a
clock that moves only when the client sleeps, and tiny real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time

import requests

from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerClient
from ansible_collections.scwkms.key_manager.plugins.module_utils._credentials import resolve_settings
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import KEY_ID, PROJECT, SECRET

OTHER_ID = '00000000-0000-0000-0000-000000000001'
BASE = 'https://api.test'
PREFIX = '/key-manager/v1alpha1/regions/fr-par'
KEYS = PREFIX + '/keys'
KEY = KEYS + '/' + KEY_ID
REASONS = {200: 'OK', 204: 'No Content', 307: 'Temporary Redirect', 403: 'Forbidden', 404: 'Not Found',
           412: 'Precondition Failed', 429: 'Too Many Requests', 500: 'Internal Server Error',
           503: 'Service Unavailable'}


def response(status, body=None, headers=None, raw=None):
    answer = requests.models.Response()
    answer.status_code = status
    answer.reason = REASONS.get(status, '')
    answer._content = raw if raw is not None else (b'' if body is None else json.dumps(body).encode())
    answer._content_consumed = True  # iter_content() serves _content, as after a real read
    answer.headers.update(headers or {})
    return answer


def listing(*keys):
    return {'keys': list(keys), 'total_count': len(keys)}


def not_found():
    return response(404, {'message': 'resource is not found', 'resource': 'key', 'resource_id': KEY_ID,
                          'type': 'not_found'})


def denied():
    return response(403, {'details': [], 'message': 'insufficient permissions', 'type': 'permissions_denied'})


def dropped():
    return requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('closed'))")


class ScriptedSession:
    """Answers each request with the next scripted item (a Response or an exception), or with
    responder(method, path) when given, and records it. Every request must refuse redirects."""

    def __init__(self, *script, responder=None):
        self.script = list(script)
        self.responder = responder
        self.sent = []
        self.headers = {}
        self.max_redirects = 30

    def request(self, method, url, params=None, data=None, headers=None, timeout=None, verify=None,
                allow_redirects=True, stream=False):
        path = url[len(BASE):]
        self.sent.append({'method': method, 'path': path, 'params': params, 'timeout': timeout,
                          'body': None if data is None else json.loads(data), 'verify': verify,
                          'allow_redirects': allow_redirects, 'stream': stream})
        item = self.responder(method, path) if self.responder else self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    def calls(self):
        return [(call['method'], call['path']) for call in self.sent]


class Clock:
    """Monotonic time that moves only when the client sleeps (or a test advances it)."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def settings_for(**options):
    options.setdefault('secret_key', SECRET)
    options.setdefault('project_id', PROJECT)
    options.setdefault('api_url', BASE)
    return resolve_settings(options, {'HOME': '/nonexistent'})


def make_client(*script, responder=None, wall_clock=time.time, **options):
    """(client, session, clock) for a scripted conversation."""
    session = ScriptedSession(*script, responder=responder)
    clock = Clock()
    client = KeyManagerClient(settings_for(**options), session=session, sleep=clock.sleep, clock=clock,
                              rng=lambda: 0.5, wall_clock=wall_clock)
    return client, session, clock


# -- real servers on 127.0.0.1 ----------------------------------------------------------------------

class _Recorder(http.server.BaseHTTPRequestHandler):
    """Records every request; answers with server.answer(handler) (or 200 {} when unset)."""

    def _handle(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        self.server.received.append({'method': self.command, 'path': self.path, 'headers': dict(self.headers),
                                     'body': body})
        (self.server.answer or _empty_json)(self)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


def _empty_json(handler):
    handler.send_response(200)
    handler.send_header('Content-Type', 'application/json')
    handler.send_header('Content-Length', '2')
    handler.end_headers()
    handler.wfile.write(b'{}')


@contextlib.contextmanager
def local_server(answer=None):
    """A recording HTTP server on 127.0.0.1 in a thread: yields it (.url, .received)."""
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Recorder)
    server.daemon_threads = True
    server.received = []
    server.answer = answer
    server.url = 'http://127.0.0.1:%d' % server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
