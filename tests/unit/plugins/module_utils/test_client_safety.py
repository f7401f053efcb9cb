# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the client must never do: follow a redirect, show a secret, or outlive its timeouts.

Scripted sessions assert each request; real servers on 127.0.0.1 check what goes over a socket.
Elapsed times are only checked against upper bounds far above the correct behaviour and far
below the defect's, so they cannot flake."""

from __future__ import annotations

import base64
import json
import time

import pytest
import requests

from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerClient, KeyManagerError
from ansible_collections.scwkms.key_manager.tests.unit.plugins.module_utils.scripted_api import (
    KEY, KEYS, local_server, make_client, response, settings_for,
)
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import KEY_ID, SECRET, key

EVIL = 'https://evil.example:8443/steal?token=abc&material=xyz'


def real_client(url, **options):
    return KeyManagerClient(settings_for(api_url=url, **options))


# -- redirects ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('status', [301, 302, 303, 307, 308])
def test_a_redirect_is_an_error_naming_only_the_target_host(status):
    client, session, _clock = make_client(response(status, headers={'Location': EVIL}))
    with pytest.raises(KeyManagerError) as error:
        client.get_key(KEY_ID)
    assert error.value.error_type == 'redirect' and error.value.status == status
    assert 'a redirect to host evil.example:8443; redirects are not followed' in str(error.value)
    assert 'steal' not in str(error.value) and 'token=abc' not in json.dumps(error.value.to_dict())
    assert session.calls() == [('GET', KEY)]


def test_a_redirected_write_is_neither_retried_nor_read_back():
    client, session, _clock = make_client(response(307, headers={'Location': '/elsewhere'}))
    with pytest.raises(KeyManagerError, match='a redirect to host api.test;'):
        client.create_key(name='billing', algorithm='aes_256_gcm')
    assert session.calls() == [('POST', KEYS)]


def redirect_to(target):
    def answer(handler):
        handler.send_response(307)
        handler.send_header('Location', target + '/key-manager/v1alpha1/regions/fr-par/keys')
        handler.send_header('Content-Length', '0')
        handler.end_headers()
    return answer


def test_a_redirect_target_receives_nothing_over_the_wire():
    with local_server() as target, local_server(redirect_to(target.url)) as api:
        client = real_client(api.url)
        with pytest.raises(KeyManagerError, match='a redirect to host 127.0.0.1:%d' % target.server_address[1]):
            client.create_key(name='billing', algorithm='aes_256_gcm')
        # Second guard: even a caller asking the session itself to follow gets no further.
        with pytest.raises(requests.exceptions.TooManyRedirects):
            client.session.post(api.url + '/x', data='{"key_material": "secret"}')
    assert [request['method'] for request in api.received] == ['POST', 'POST']
    assert api.received[0]['headers']['X-Auth-Token'] == SECRET
    assert target.received == []


# -- secrets -----------------------------------------------------------------------------------------

def assert_scrubbed(error, *secrets):
    shown = str(error) + json.dumps(error.to_dict())
    for secret in secrets:
        assert secret not in shown
    assert '********' in shown


def test_a_secret_key_with_a_trailing_newline_is_scrubbed_from_the_header_error():
    # Settings strip it now; the client is the second line of defence if a padded value gets through.
    settings = settings_for(api_url='http://127.0.0.1:9')._replace(secret_key=SECRET + '\n')
    client = KeyManagerClient(settings)
    with pytest.raises(KeyManagerError) as error:
        client.get_key(KEY_ID)
    assert 'Invalid leading whitespace, reserved character(s), or return character(s)' in str(error.value)
    assert_scrubbed(error.value, SECRET)


def test_an_echoed_request_body_is_scrubbed_of_registered_secrets():
    material = bytes(range(32))
    encoded = base64.b64encode(material).decode()
    echo = {'message': 'invalid argument(s)', 'type': 'invalid_arguments', 'request': {'key_material': encoded},
            'details': [{'argument_name': 'key_material', 'reason': 'constraint',
                         'help_message': 'cannot import %s (%s)' % (encoded, encoded.rstrip('='))}]}
    client, session, _clock = make_client(response(400, echo))
    with pytest.raises(KeyManagerError) as error:
        client.import_key_material(KEY_ID, material, current=key(rotation_count=0))
    assert session.sent[0]['body'] == {'key_material': encoded}
    assert_scrubbed(error.value, encoded, encoded.rstrip('='), encoded[:20])


def test_values_registered_by_the_caller_are_scrubbed_raw_and_in_base64():
    client, _session, _clock = make_client(response(400, {
        'message': 'bad description "from-a-file-s3cret" (ZnJvbS1hLWZpbGUtczNjcmV0)', 'type': 'invalid_arguments'}))
    client.add_secret('from-a-file-s3cret\n')
    with pytest.raises(KeyManagerError) as error:
        client.create_key(name='billing', algorithm='aes_256_gcm', description='from-a-file-s3cret')
    assert_scrubbed(error.value, 's3cret', 'ZnJvbS1hLWZpbGUtczNjcmV0')


def test_the_secret_key_echoed_in_an_error_body_is_scrubbed():
    client, _session, _clock = make_client(response(401, {
        'message': 'authentication is denied for %s' % SECRET, 'method': 'api_key', 'reason': 'not_found',
        'type': 'denied_authentication', 'token': SECRET}))
    with pytest.raises(KeyManagerError) as error:
        client.get_key(KEY_ID)
    assert_scrubbed(error.value, SECRET)


# -- timeouts ----------------------------------------------------------------------------------------

def trickle(whole_response, delay=0.3):
    """An answer sent one byte every `delay` seconds (as the emulator's trickle sends it); the body only,
    or headers too, which the emulator cannot do by itself."""
    server = pytest.importorskip('scwkms_emulator.server')
    body = json.dumps(key()).encode()

    def answer(handler):
        head = ('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n' % len(body))
        data = head.encode() + body
        if not whole_response:
            handler.wfile.write(head.encode())
            data = body
        server.send_slowly(handler.wfile, data, delay)  # False when the client gave up: what it should do
    return answer


@pytest.mark.parametrize('whole_response', [False, True], ids=['body', 'headers-and-body'])
def test_timeout_bounds_the_whole_request_against_a_trickling_server(whole_response):
    with local_server(trickle(whole_response)) as api:
        client = real_client(api.url, timeout=1, max_retries=0)
        started = time.monotonic()
        with pytest.raises(KeyManagerError, match=r'no complete response within 1 s \(timeout\)'):
            client.get_key(KEY_ID)
        elapsed = time.monotonic() - started
    # The answer takes over 60 s at this pace; before the fix, so did the call.
    assert elapsed < 10
    assert len(api.received) == 1


def test_retry_deadline_bounds_the_whole_call_with_its_retries():
    with local_server(trickle(True)) as api:
        client = real_client(api.url, timeout=1, max_retries=10, retry_deadline=2.5)
        started = time.monotonic()
        with pytest.raises(KeyManagerError, match='retry_deadline reached'):
            client.get_key(KEY_ID)
        elapsed = time.monotonic() - started
    assert elapsed < 10
    assert 2 <= len(api.received) <= 4


def test_the_request_in_flight_gets_what_is_left_of_retry_deadline():
    client, session, clock = make_client(response(503, headers={'Retry-After': '4'}), response(200, key()),
                                         timeout=30, retry_deadline=10)
    client.get_key(KEY_ID)
    assert clock.sleeps == [4.0]
    assert [call['timeout'] for call in session.sent] == [(10.0, 10.0), (6.0, 6.0)]


def test_nothing_is_sent_once_retry_deadline_is_spent_by_a_read_back():
    """A lost create whose read-back outlives retry_deadline fails; it never posts again blindly."""
    client, session, _clock = make_client(response(500), *[response(200, {'keys': [], 'total_count': 0})] * 20,
                                          retry_deadline=5)
    with pytest.raises(KeyManagerError) as error:
        client.create_key(name='billing', algorithm='aes_256_gcm')
    assert error.value.error_type == 'outcome_unknown'
    assert 'consistency window before retry_deadline' in str(error.value)
    calls = session.calls()
    assert calls[0] == ('POST', KEYS) and set(calls[1:]) == {('GET', KEYS)}
