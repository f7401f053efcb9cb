# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An API that has not caught up yet: a key just created answering 404 or missing from lists, a
fresh token answering 403 while IAM propagates; and the API's own clock (server_now)."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils._calls import (
    CONSISTENCY_WINDOW, IAM_PROPAGATION_WINDOW, POLL_CAP,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerError
from ansible_collections.scwkms.key_manager.tests.unit.plugins.module_utils.scripted_api import (
    KEY, KEYS, OTHER_ID, denied, dropped, listing, make_client, not_found, response,
)
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import KEY_ID, key

UTC = datetime.timezone.utc


def created_then(*script, **options):
    """A client that has just created KEY_ID, then answers with script."""
    client, session, clock = make_client(response(200, key()), *script, **options)
    client.create_key(name='k', algorithm='aes_256_gcm')
    return client, session, clock


def test_a_404_on_a_key_this_client_just_created_is_waited_out():
    client, session, clock = created_then(not_found(), not_found(), response(200, key()), max_retries=0)
    assert client.get_key(KEY_ID)['id'] == KEY_ID
    assert session.calls() == [('POST', KEYS)] + [('GET', KEY)] * 3
    assert clock.sleeps == [0.1875, 0.375]
    assert client.created_ids == {KEY_ID: 1000.0}


def test_a_404_on_a_just_created_key_is_waited_out_for_writes_too():
    client, session, _clock = created_then(not_found(), response(200, key(tags=['a'])))
    assert client.update_key(KEY_ID.upper(), tags=['a'])['tags'] == ['a']
    assert [call[0] for call in session.calls()] == ['POST', 'PATCH', 'PATCH']


def test_the_wait_for_a_just_created_key_ends_with_the_consistency_window():
    client, session, clock = created_then(responder=None)
    session.responder = lambda _method, _path: not_found()
    assert client.get_key(KEY_ID) is None
    assert CONSISTENCY_WINDOW <= sum(clock.sleeps) <= CONSISTENCY_WINDOW + POLL_CAP
    assert max(clock.sleeps) <= POLL_CAP


def test_a_404_on_a_key_this_client_did_not_create_is_final():
    client, session, clock = created_then(not_found())
    assert client.get_key(OTHER_ID) is None
    assert session.calls() == [('POST', KEYS), ('GET', KEYS + '/' + OTHER_ID)]
    assert clock.sleeps == []


def test_a_lost_create_waits_for_the_new_key_to_appear_in_the_list_instead_of_creating_another():
    client, session, clock = make_client(dropped(), response(200, listing()), response(200, listing()),
                                         responder=None)

    def answer(_method, _path):
        return session.script.pop(0) if session.script else response(200, listing(key(name='billing')))
    session.responder = answer
    assert client.create_key(name='billing', algorithm='aes_256_gcm')['id'] == KEY_ID
    calls = session.calls()
    assert calls[0] == ('POST', KEYS) and set(calls[1:]) == {('GET', KEYS)}
    assert clock.sleeps[:2] == [0.1875, 0.375]
    assert sum(clock.sleeps) == pytest.approx(CONSISTENCY_WINDOW)
    assert KEY_ID in client.created_ids


def test_a_403_is_waited_out_while_the_token_has_never_worked():
    client, session, clock = make_client(denied(), denied(), response(200, key()), max_retries=0)
    assert client.create_key(name='k', algorithm='aes_256_gcm')['id'] == KEY_ID
    assert session.calls() == [('POST', KEYS)] * 3
    assert clock.sleeps == [0.1875, 0.375]


def test_the_wait_for_permissions_is_bounded():
    client, session, clock = make_client(responder=lambda _method, _path: denied())
    with pytest.raises(KeyManagerError) as error:
        client.get_key(KEY_ID)
    assert error.value.error_type == 'permissions_denied'
    assert IAM_PROPAGATION_WINDOW <= sum(clock.sleeps) <= IAM_PROPAGATION_WINDOW + POLL_CAP
    assert 'gave up after %d attempts' % len(session.sent) in str(error.value)


def test_once_the_token_has_worked_a_403_is_final():
    client, session, clock = make_client(response(200, key()), denied())
    client.get_key(KEY_ID)
    with pytest.raises(KeyManagerError, match='insufficient permissions'):
        client.get_key(KEY_ID)
    assert len(session.sent) == 2 and clock.sleeps == []


def test_retry_deadline_also_bounds_the_waits():
    client, _session, clock = make_client(responder=lambda _method, _path: denied(), retry_deadline=5)
    with pytest.raises(KeyManagerError, match='retry_deadline reached'):
        client.get_key(KEY_ID)
    assert sum(clock.sleeps) <= 5


# -- the API's clock -----------------------------------------------------------------------------

def test_server_now_falls_back_to_the_host_clock_before_any_answer():
    client, _session, _clock = make_client(wall_clock=lambda: 1700000000.5)
    assert client.server_now() == datetime.datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)


def test_server_now_follows_the_date_of_the_latest_answer_plus_the_time_elapsed():
    client, _session, clock = make_client(
        response(200, key(), headers={'Date': 'Sun, 06 Nov 1994 08:49:37 GMT'}),
        response(200, key(), headers={'Date': 'garbage'}),
        response(404, {'type': 'not_found'}, headers={'Date': 'Mon, 07 Nov 1994 08:00:00 GMT'}),
        wall_clock=lambda: 1700000000.0)
    client.get_key(KEY_ID)
    assert client.server_now() == datetime.datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)
    clock.now += 90.5
    assert client.server_now() == datetime.datetime(1994, 11, 6, 8, 51, 7, 500000, tzinfo=UTC)
    client.get_key(KEY_ID)  # an unreadable Date keeps the last one read
    assert client.server_now() == datetime.datetime(1994, 11, 6, 8, 51, 7, 500000, tzinfo=UTC)
    client.get_key(KEY_ID)
    assert client.server_now() == datetime.datetime(1994, 11, 7, 8, 0, tzinfo=UTC)
    assert client.server_now().tzinfo is not None
