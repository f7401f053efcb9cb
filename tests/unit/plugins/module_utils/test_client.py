# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The client against a scripted session: every request it makes is asserted.

Redirects, secrets and timeouts: test_client_safety.py; answer shapes: test_client_shapes.py;
eventual consistency, IAM propagation and the API's clock: test_client_consistency.py."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.scwkms.key_manager.plugins.module_utils._calls import CONSISTENCY_WINDOW
from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerError
from ansible_collections.scwkms.key_manager.plugins.module_utils._version import COLLECTION_VERSION
from ansible_collections.scwkms.key_manager.tests.unit.plugins.module_utils.scripted_api import (
    KEYS, OTHER_ID, PREFIX, dropped, listing, make_client, not_found, response,
)
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import KEY_ID, PROJECT, SECRET, key


def test_headers_tls_and_timeouts():
    client, session, _clock = make_client(response(200, key()), timeout=7)
    client.get_key(KEY_ID)
    assert session.headers['X-Auth-Token'] == SECRET
    assert session.headers['Accept'] == 'application/json'
    assert session.headers['User-Agent'] == 'scwkms.key_manager/%s (Ansible collection)' % COLLECTION_VERSION
    assert session.sent[0]['verify'] is True
    assert session.sent[0]['timeout'] == (7.0, 7.0)
    # The body is read against the request's deadline, and redirects are never followed.
    assert session.sent[0]['stream'] is True
    assert session.sent[0]['allow_redirects'] is False
    assert session.max_redirects == 0
    assert session.calls() == [('GET', PREFIX + '/keys/' + KEY_ID)]


def test_get_key_returns_none_on_404():
    client, session, _clock = make_client(not_found())
    assert client.get_key(KEY_ID) is None
    assert len(session.sent) == 1


def test_list_keys_pages_until_a_short_page():
    page = [key(id='%08d-0000-0000-0000-000000000000' % index) for index in range(2)]
    client, session, _clock = make_client(response(200, {'keys': page, 'total_count': 3}),
                                          response(200, {'keys': page[:1], 'total_count': 3}))
    keys = client.list_keys(name='k', tags=['a', 'b'], page_size=2)
    assert len(keys) == 3
    assert [call['params']['page'] for call in session.sent] == [1, 2]
    assert session.sent[0]['params'] == {'order_by': 'name_asc', 'page_size': 2, 'scheduled_for_deletion': 'false',
                                         'name': 'k', 'project_id': PROJECT, 'tags': ['a', 'b'], 'page': 1}


def test_list_keys_stops_at_total_count_and_on_an_empty_page():
    client, session, _clock = make_client(response(200, {'keys': [key()], 'total_count': 1}))
    assert len(client.list_keys(page_size=1)) == 1
    assert len(session.sent) == 1
    client, session, _clock = make_client(response(200, {'keys': [], 'total_count': 0}))
    assert client.list_keys() == []


def test_create_sends_the_usage_by_hand_and_protobuf_durations():
    client, session, _clock = make_client(response(200, key()))
    client.create_key(name='k', algorithm='ec_p256_sha256', tags=['a'], description='d', protected=False,
                      rotation_policy={'rotation_period': 2592000, 'next_rotation_at': None})
    assert session.sent[0]['body'] == {
        'project_id': PROJECT, 'name': 'k', 'usage': {'asymmetric_signing': 'ec_p256_sha256'}, 'description': 'd',
        'tags': ['a'], 'rotation_policy': {'rotation_period': '2592000s', 'next_rotation_at': None},
        'unprotected': True, 'origin': 'scaleway_kms'}


@pytest.mark.parametrize('status', [429, 503])
def test_turned_away_requests_are_retried_with_backoff(status):
    client, session, clock = make_client(response(status), response(status), response(200, key()))
    assert client.rotate_key(KEY_ID, current=key())['id'] == KEY_ID
    assert session.calls() == [('POST', PREFIX + '/keys/%s/rotate' % KEY_ID)] * 3
    assert clock.sleeps == [0.1875, 0.375]  # half the ceiling plus jitter, doubling


def test_retry_after_is_honoured():
    client, _session, clock = make_client(response(429, headers={'Retry-After': '3'}), response(200, key()))
    client.get_key(KEY_ID)
    assert clock.sleeps == [3.0]


def test_reads_retry_connection_errors_and_timeouts():
    client, session, _clock = make_client(dropped(), requests.exceptions.ReadTimeout('slow'), response(200, key()))
    assert client.get_key(KEY_ID)['id'] == KEY_ID
    assert len(session.sent) == 3


def test_max_retries_bounds_attempts_and_the_error_says_so():
    client, session, _clock = make_client(*[response(503)] * 3, max_retries=2)
    with pytest.raises(KeyManagerError) as error:
        client.get_key(KEY_ID)
    assert len(session.sent) == 3
    assert error.value.status == 503
    assert 'gave up after 3 attempts' in str(error.value)


def test_retry_deadline_stops_early():
    client, session, _clock = make_client(response(429, headers={'Retry-After': '100'}), retry_deadline=10)
    with pytest.raises(KeyManagerError, match='retry_deadline reached'):
        client.get_key(KEY_ID)
    assert len(session.sent) == 1


def test_empty_429_body_gives_a_clear_error():
    client, _session, _clock = make_client(response(429, raw=b''), max_retries=0)
    with pytest.raises(KeyManagerError) as error:
        client.get_key(KEY_ID)
    assert str(error.value) == 'GET %s/keys/%s: HTTP 429 rate_limited: too many requests (rate limited, empty response body)' % (PREFIX, KEY_ID)


def test_non_json_error_body():
    client, _session, _clock = make_client(response(502, raw=b'<html>bad gateway</html>'), max_retries=0)
    with pytest.raises(KeyManagerError, match=r'non-JSON response body: <html>bad gateway</html>'):
        client.get_key(KEY_ID)


def test_scaleway_error_bodies_are_explained_and_not_retried():
    body = {'help_message': 'cannot delete a protected key', 'message': 'precondition is not respected',
            'precondition': 'protected_resource', 'type': 'precondition_failed'}
    client, session, _clock = make_client(response(412, body))
    with pytest.raises(KeyManagerError) as error:
        client.delete_key(KEY_ID)
    assert len(session.sent) == 1
    assert error.value.status == 412
    assert error.value.error_type == 'precondition_failed'
    assert 'cannot delete a protected key' in str(error.value)
    assert error.value.to_dict()['details']['precondition'] == 'protected_resource'


def test_invalid_arguments_details_are_spelled_out():
    body = {'details': [{'argument_name': 'ciphertext', 'help_message': 'cipher: message authentication failed',
                         'reason': 'constraint'}], 'message': 'invalid argument(s)', 'type': 'invalid_arguments'}
    client, _session, _clock = make_client(response(400, body))
    with pytest.raises(KeyManagerError, match=r'invalid argument\(s\): ciphertext: cipher: message authentication failed \(constraint\)'):
        client.decrypt(KEY_ID, b'x')


def lost_create_client(*listings):
    """A client whose create answer is lost; each list read-back answers the next of listings (the last
    one from then on)."""
    remaining = list(listings)

    def answer(method, path):
        if method == 'POST' and path == KEYS:
            return dropped()
        if method == 'GET' and path == KEYS:
            return response(200, remaining.pop(0) if len(remaining) > 1 else remaining[0])
        return response(200, key(state='scheduled_for_deletion'))
    return make_client(responder=answer)


def test_lost_create_response_finds_the_created_key_instead_of_creating_again():
    client, session, clock = lost_create_client(listing(key(name='billing')))
    assert client.create_key(name='billing', algorithm='aes_256_gcm')['id'] == KEY_ID
    calls = session.calls()
    assert calls[0] == ('POST', KEYS) and set(calls[1:]) == {('GET', KEYS)}
    assert session.sent[1]['params']['name'] == 'billing'
    # The list is watched for the whole window: our key may still be hidden behind a racer's.
    assert sum(clock.sleeps) == pytest.approx(CONSISTENCY_WINDOW)


def test_lost_create_answer_with_a_racer_keeps_the_first_created_key_and_discards_the_others():
    ours = key(name='billing', created_at='2026-01-01T00:00:02Z')
    racer = key(id=OTHER_ID, name='billing', created_at='2026-01-01T00:00:01Z', protected=True)
    late = key(id='33333333-3333-4333-8333-333333333333', name='billing', created_at='2026-01-01T00:00:03Z')
    # The racer's key shows first; ours and a later racer's only later (eventual consistency).
    client, session, _clock = lost_create_client(listing(racer), listing(racer, ours, late))
    assert client.create_key(name='billing', algorithm='aes_256_gcm')['id'] == OTHER_ID
    writes = [call for call in session.calls() if call[0] != 'GET']
    assert writes == [('POST', KEYS), ('DELETE', KEYS + '/' + KEY_ID),
                      ('DELETE', KEYS + '/33333333-3333-4333-8333-333333333333')]


def test_lost_create_response_retries_only_after_the_list_stayed_empty_for_the_consistency_window():
    posts = iter([response(500), response(200, key(name='billing'))])
    client, session, clock = make_client(
        responder=lambda method, _path: next(posts) if method == 'POST' else response(200, listing()))
    assert client.create_key(name='billing', algorithm='aes_256_gcm')['id'] == KEY_ID
    calls = session.calls()
    assert calls[0] == calls[-1] == ('POST', KEYS)
    assert set(calls[1:-1]) == {('GET', KEYS)} and len(calls) > 4
    # The list was polled for the whole window (a new key may be missing from lists), then a backoff.
    assert sum(clock.sleeps[:-1]) == pytest.approx(CONSISTENCY_WINDOW)


def test_keys_known_before_the_create_are_not_taken_for_the_new_one():
    other = key(id=OTHER_ID, name='billing', created_at='2026-01-01T00:00:09Z')
    client, session, _clock = lost_create_client(listing(other), listing(other, key(name='billing')))
    assert client.create_key(name='billing', algorithm='aes_256_gcm', known_ids=(other['id'],))['id'] == KEY_ID
    assert [call[0] for call in session.calls() if call[0] != 'GET'] == ['POST']


def test_a_create_turned_away_with_503_is_not_read_back():
    client, session, _clock = make_client(response(503), response(200, key()))
    client.create_key(name='billing', algorithm='aes_256_gcm')
    assert session.calls() == [('POST', PREFIX + '/keys')] * 2


def test_lost_rotate_response_is_not_rotated_twice():
    client, session, _clock = make_client(dropped(), response(200, key(rotation_count=2)))
    assert client.rotate_key(KEY_ID, current=key(rotation_count=1))['rotation_count'] == 2
    assert session.calls() == [('POST', PREFIX + '/keys/%s/rotate' % KEY_ID), ('GET', PREFIX + '/keys/' + KEY_ID)]


def test_rotate_without_a_baseline_reads_the_key_first():
    client, session, _clock = make_client(response(200, key()), response(200, key(rotation_count=2)))
    client.rotate_key(KEY_ID)
    assert [call[0] for call in session.calls()] == ['GET', 'POST']


def test_lost_delete_response_is_checked_not_repeated():
    client, session, _clock = make_client(dropped(), response(200, key(state='scheduled_for_deletion')))
    assert client.delete_key(KEY_ID) is None
    assert session.calls() == [('DELETE', PREFIX + '/keys/' + KEY_ID), ('GET', PREFIX + '/keys/' + KEY_ID)]


def test_idempotent_actions_are_simply_repeated():
    client, session, _clock = make_client(dropped(), response(200, key(state='disabled')))
    assert client.disable_key(KEY_ID)['state'] == 'disabled'
    assert session.calls() == [('POST', PREFIX + '/keys/%s/disable' % KEY_ID)] * 2
    assert session.sent[0]['body'] == {}


def test_connection_refused_is_retried_without_a_read_back():
    refused = requests.exceptions.ConnectionError('NewConnectionError: Failed to establish a new connection: Connection refused')
    client, session, _clock = make_client(refused, response(200, key()))
    client.create_key(name='x', algorithm='aes_256_gcm')
    assert session.calls() == [('POST', PREFIX + '/keys')] * 2


def test_bytes_fields_are_base64():
    client, session, _clock = make_client(response(200, {'key_id': KEY_ID, 'signature': 'AAEC'}),
                                          response(200, {'key_id': KEY_ID, 'valid': False}))
    assert client.sign(KEY_ID, b'\x01' * 32) == b'\x00\x01\x02'
    assert session.sent[0]['body'] == {'digest': 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE='}
    assert client.verify(KEY_ID, b'\x01' * 32, b'sig') is False


def test_204_has_no_body():
    client, _session, _clock = make_client(response(204, raw=b''))
    assert client.delete_key(KEY_ID) is None


def test_errors_never_contain_the_secret():
    denied = {'message': 'authentication is denied', 'method': 'api_key', 'reason': 'not_found',
              'type': 'denied_authentication'}
    client, _session, _clock = make_client(response(401, denied))
    with pytest.raises(KeyManagerError) as error:
        client.get_key(KEY_ID)
    assert SECRET not in str(error.value)
    assert SECRET not in json.dumps(error.value.to_dict())
