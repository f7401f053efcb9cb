# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs a real playbook with -vvvv against the emulator and looks for secrets in everything it prints."""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import pathlib
import shutil
import subprocess
import sys
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


COLLECTION_ROOT = pathlib.Path(os.path.abspath(__file__)).parents[3]
SECRET_KEY = str(uuid.uuid4())
PROJECT_ID = str(uuid.uuid4())
KEY_MATERIAL = b'TopSecretKeyMaterial-0123456789!'  # 32 printable bytes, so a leak would be readable
MESSAGE = 'confidential-message-to-sign-4f1c'

TASKS = """
    - name: External key
      scwkms.key_manager.scwkms_key:
        name: verbose-byok
        origin: external
        key_material: "{material}"
        protected: true
      diff: true

    - name: Rotate it by importing again
      scwkms.key_manager.scwkms_key:
        name: verbose-byok
        key_material: "{material}"
        rotate: true
      diff: true

    - name: A refused deletion reports an error
      scwkms.key_manager.scwkms_key:
        name: verbose-byok
        state: absent
      ignore_errors: true

    - name: A bad option reports an error
      scwkms.key_manager.scwkms_key:
        name: verbose-byok
        region: mars-1
      ignore_errors: true

    - name: A signing key
      scwkms.key_manager.scwkms_key:
        name: verbose-signer
        algorithm: ec_p256_sha256

    - name: Sign a confidential message
      scwkms.key_manager.scwkms_sign:
        key: verbose-signer
        content: "{message}"

    - name: List keys
      scwkms.key_manager.scwkms_key_info:
"""


def collections_path(tmp_path):
    """A collections directory where ansible-playbook finds this very tree, wherever it is checked out."""
    if COLLECTION_ROOT.parts[-3:] == ('ansible_collections', 'scwkms', 'key_manager'):
        return str(COLLECTION_ROOT.parents[2])
    link = tmp_path / 'collections' / 'ansible_collections' / 'scwkms' / 'key_manager'
    link.parent.mkdir(parents=True)
    link.symlink_to(COLLECTION_ROOT)
    return str(tmp_path / 'collections')


def playbook(tasks, **defaults):
    """One play on localhost: the collection's module_defaults (``defaults``), then ``tasks`` (indented YAML)."""
    lines = ['- hosts: localhost', '  gather_facts: false', '  module_defaults:', '    group/scwkms.key_manager.scwkms:']
    lines += ['      %s: %s' % (name, json.dumps(value)) for name, value in defaults.items()]
    return '\n'.join(lines + ['  tasks:']) + tasks


def run_playbook(tmp_path, text, **environment):
    """ansible-playbook -vvvv on the playbook text, with extra environment variables; (exit status, output)."""
    playbook = tmp_path / 'verbose.yml'
    playbook.write_text(text)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(tmp_path), ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_INVENTORY_UNPARSED_WARNING='0', ANSIBLE_KEEP_REMOTE_FILES='0')
    env.pop('SCW_SECRET_KEY', None)
    env.update(environment)
    binary = shutil.which('ansible-playbook', path=os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', ''))
    assert binary, 'ansible-playbook is not installed beside %s' % sys.executable
    run = subprocess.run([binary, '-vvvv', str(playbook)],
                         env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=600, check=False)
    return run.returncode, run.stdout + run.stderr


def assert_no_secret(output, *secrets):
    for secret in secrets:
        assert secret not in output, 'a secret leaked into -vvvv output'


def test_vvvv_output_contains_no_secret(km_emulator, tmp_path):
    material_b64 = base64.b64encode(KEY_MATERIAL).decode()
    tasks = TASKS.format(material=material_b64, message=MESSAGE)
    returncode, output = run_playbook(tmp_path, playbook(tasks, api_url=km_emulator.url, secret_key=SECRET_KEY,
                                                         project_id=PROJECT_ID))
    assert returncode == 0, output[-4000:]
    assert 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' in output  # the invocation was printed, masked
    assert 'is protected and cannot be deleted' in output
    assert "region (from option region): 'mars-1' is not a Key Manager region" in output
    assert_no_secret(output, SECRET_KEY, material_b64, KEY_MATERIAL.decode(), MESSAGE,
                     base64.b64encode(MESSAGE.encode()).decode())
    requests = km_emulator.requests()
    assert any(entry['route'] == 'POST /keys/{key_id}/import-key-material' for entry in requests)
    assert any(entry['route'] == 'POST /keys/{key_id}/sign' for entry in requests)


ENVIRONMENT_TASKS = """
    - name: A key, with the secret key from SCW_SECRET_KEY only
      scwkms.key_manager.scwkms_key:
        name: verbose-environment

    - name: An API error (the key is protected)
      scwkms.key_manager.scwkms_key:
        name: verbose-environment
        state: absent
      ignore_errors: true

    - name: List keys
      scwkms.key_manager.scwkms_key_info:
"""


def test_secret_key_with_a_trailing_newline_from_the_environment_works_and_never_shows(km_emulator, tmp_path):
    # Vault block scalars, Kubernetes and AWX secrets end with a newline; requests refuses such a header
    # and its message quotes the value, escaped, which no_log's exact-match masking does not catch.
    returncode, output = run_playbook(tmp_path, playbook(ENVIRONMENT_TASKS, api_url=km_emulator.url, project_id=PROJECT_ID),
                                      SCW_SECRET_KEY=SECRET_KEY + '\n')
    assert_no_secret(output, SECRET_KEY)
    assert returncode == 0, output[-4000:]
    assert 'is protected and cannot be deleted' in output
    assert any(entry['route'] == 'POST /keys' for entry in km_emulator.requests())


class EchoingProxy(BaseHTTPRequestHandler):
    """Forwards to the emulator, but answers a key material import as an API might: a 400 echoing the request."""

    upstream = None  # the emulator's netloc, set on the subclass each proxy makes

    def _forward(self):
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        if self.path.endswith('/import-key-material'):
            return self._answer(400, json.dumps({
                'type': 'invalid_arguments', 'message': 'invalid argument(s)',
                'details': [{'argument_name': 'key_material', 'reason': 'constraint',
                             'help_message': 'cannot import %s' % json.loads(body)['key_material']}],
                'request': body.decode()}).encode())
        connection = http.client.HTTPConnection(self.upstream, timeout=30)
        headers = {name: value for name, value in self.headers.items() if name.lower() not in ('host', 'connection')}
        connection.request(self.command, self.path, body=body or None, headers=headers)
        response = connection.getresponse()
        self._answer(response.status, response.read(), response.getheader('Content-Type'))
        connection.close()
        return None

    def _answer(self, status, payload, content_type='application/json'):
        self.send_response(status)
        self.send_header('Content-Type', content_type or 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_DELETE = _forward

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet."""


@contextlib.contextmanager
def echoing_proxy(upstream_url):
    handler = type('BoundEchoingProxy', (EchoingProxy,), {'upstream': urllib.parse.urlsplit(upstream_url).netloc})
    server = ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield 'http://127.0.0.1:%d' % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


ECHO_TASKS = """
    - name: Key material from a file, which no no_log option holds
      scwkms.key_manager.scwkms_key:
        name: verbose-echo
        origin: external
        key_material: "{path}"
        protected: false
      register: echoed
      ignore_errors: true

    - name: The error was reported
      ansible.builtin.assert:
        that:
          - echoed is failed
          - "'invalid' in echoed.msg"
"""


def test_an_api_error_echoing_key_material_is_masked(km_emulator, tmp_path):
    material_path = tmp_path / 'material.bin'
    material_path.write_bytes(KEY_MATERIAL)
    material_b64 = base64.b64encode(KEY_MATERIAL).decode()
    with echoing_proxy(km_emulator.url) as url:
        text = playbook(ECHO_TASKS.format(path=material_path), api_url=url, secret_key=SECRET_KEY, project_id=PROJECT_ID,
                        max_retries=0)
        returncode, output = run_playbook(tmp_path, text)
    assert returncode == 0, output[-4000:]
    assert 'cannot import' in output  # the echoed error was shown, its secret part masked
    assert_no_secret(output, SECRET_KEY, material_b64, KEY_MATERIAL.decode())
