# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_locator.py against the in-process emulator: one way to find a key, and the winner rule of a race."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils import _locator
from ansible_collections.scwkms.key_manager.plugins.module_utils._keyref import KeyRefError
from ansible_collections.scwkms.key_manager.plugins.module_utils._locator import (
    KeyNotFound, KeyNotUnique, Located, locate, require, settle_created, winner_of,
)
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import PROJECT, client_for

pytest.importorskip('scwkms_emulator')


def create(client, name, **options):
    return client.create_key(name=name, algorithm='aes_256_gcm', protected=options.pop('protected', False), **options)


def test_by_id_costs_one_get_and_reports_the_key_project(api):
    km, settings, client = api
    key = create(client, 'k')
    km.clear_requests()
    located = locate(client, settings, key_id='scwkms:key-id=%s;region=fr-par' % key['id'])
    assert located == Located(key['id'], 'fr-par', PROJECT, located.key) and located.key['name'] == 'k'
    assert km.counts() == {'GET /keys/{key_id}': 1}


def test_by_id_without_read_costs_nothing(api):
    km, settings, client = api
    km.clear_requests()
    key_id = str(uuid.uuid4())
    assert locate(client, settings, reference=key_id, read=False) == Located(key_id, 'fr-par', PROJECT, None)
    assert km.counts() == {}


def test_missing_id_and_missing_name(api):
    _km, settings, client = api
    missing = locate(client, settings, key_id=str(uuid.uuid4()))
    assert missing.key_id is None and missing.key is None
    with pytest.raises(KeyNotFound, match='key_id: no such key in project'):
        require(missing, 'key_id')
    assert locate(client, settings, name='nothing') == Located(None, 'fr-par', PROJECT, None)


def test_by_name_costs_one_list(api):
    km, settings, client = api
    key = create(client, 'by-name')
    create(client, 'by-name-longer')
    km.clear_requests()
    located = locate(client, settings, reference='by-name')
    assert require(located) is located and located.key_id == key['id']
    assert km.counts() == {'GET /keys': 1}


def test_scheduled_keys_only_when_asked(api):
    _km, settings, client = api
    key = create(client, 'gone')
    client.delete_key(key['id'])
    assert locate(client, settings, name='gone').key is None
    assert locate(client, settings, name='gone', include_scheduled=True).key['state'] == 'scheduled_for_deletion'


@pytest.mark.parametrize('options, message', [
    ({'key_id': 'billing'}, "key_id: 'billing' is not a key id.*use name"),
    ({'name': 'billing '}, 'name: .*whitespace'),
    ({'reference': '{%s}' % uuid.uuid4()}, 'looks like a key id'),
    ({}, 'exactly one'),
    ({'name': 'a', 'key_id': str(uuid.uuid4())}, 'exactly one'),
    ({'key_id': 'scw-kms://regions/nl-ams/keys/%s' % uuid.uuid4(), 'region': 'fr-par'}, 'names region nl-ams'),
])
def test_bad_input_fails_before_any_request(api, options, message):
    km, settings, client = api
    km.clear_requests()
    with pytest.raises(KeyRefError, match=message):
        locate(client, settings, **options)
    assert km.counts() == {}


def test_duplicates_are_re_listed_then_refused(api, monkeypatch):
    km, settings, client = api
    first, second = create(client, 'twice'), create(client, 'twice')
    monkeypatch.setattr(_locator, 'UNIQUE_WAIT_SECONDS', 0.6)
    km.clear_requests()
    with pytest.raises(KeyNotUnique) as error:
        locate(client, settings, name='twice')
    assert first['id'] in str(error.value) and second['id'] in str(error.value)
    assert km.counts()['GET /keys'] >= 2


def test_duplicate_resolved_while_waiting(api, monkeypatch):
    _km, settings, client = api
    keep, drop = create(client, 'race'), create(client, 'race')
    calls = []

    def sleep(seconds):
        calls.append(seconds)
        client.delete_key(drop['id'])  # the losing racer deletes its copy meanwhile
    monkeypatch.setattr(_locator.time, 'sleep', sleep)
    assert locate(client, settings, name='race').key_id == keep['id']
    assert len(calls) == 1


def test_winner_is_the_earliest_then_the_smallest_id():
    keys = [{'id': 'b', 'created_at': '2026-01-01T00:00:00.2Z'}, {'id': 'c', 'created_at': '2026-01-01T00:00:00.1Z'},
            {'id': 'a', 'created_at': '2026-01-01T00:00:00.100000Z'}]
    assert winner_of(keys)['id'] == 'a'
    assert winner_of(keys[:2])['id'] == 'c'


def test_settle_the_first_creator_wins_the_second_deletes_only_its_own(api):
    km, _settings, client = api
    first = create(client, 'settle', protected=True)
    second = create(client, 'settle', protected=True)
    deadline = time.monotonic() + 5
    assert settle_created(client, first, 'settle', PROJECT, 'fr-par', deadline) == (first, False)
    winner, lost = settle_created(client, second, 'settle', PROJECT, 'fr-par', deadline)
    assert lost and winner['id'] == first['id']
    assert client.get_key(second['id'])['state'] == 'scheduled_for_deletion'
    assert client.get_key(first['id'])['state'] == 'enabled' and client.get_key(first['id'])['protected']
    assert [key['id'] for key in client.list_keys(name='settle')] == [first['id']]
    assert km.counts()['DELETE /keys/{key_id}'] == 1


def test_settle_keeps_a_key_it_cannot_see_yet(api, monkeypatch):
    _km, _settings, client = api
    key = create(client, 'invisible')
    monkeypatch.setattr(client, 'list_keys', lambda **_: [])
    assert settle_created(client, key, 'invisible', PROJECT, 'fr-par', time.monotonic() + 0.3) == (key, False)


def test_settle_loses_when_a_racer_whose_answer_was_lost_discarded_our_key(api):
    """A racer that cannot tell its key from ours schedules every new key but the winner for deletion;
    the task that made the discarded key must then adopt the winner, not carry on with its dead key."""
    km, _settings, client = api
    first = create(client, 'discarded')
    ours = create(client, 'discarded')
    client.delete_key(ours['id'])  # what the racer's read-back did
    km.clear_requests()
    winner, lost = settle_created(client, ours, 'discarded', PROJECT, 'fr-par', time.monotonic() + 5)
    assert lost and winner['id'] == first['id']
    assert 'DELETE /keys/{key_id}' not in km.counts()


def test_two_controllers_with_lost_create_answers_end_with_one_live_key(km_emulator):
    """Both creates are committed then answered 500, and new keys stay hidden for a while: neither
    client knows its own key; both must agree on one and discard the other."""
    km_emulator.set_faults([{'type': 'commit_then_error', 'route': 'POST /keys', 'status': 500},
                            {'type': 'eventual_consistency', 'seconds': 1}])
    results = []

    def run():
        results.append(create(client_for(km_emulator, retry_deadline=60), 'lost-both'))
    threads = [threading.Thread(target=run), threading.Thread(target=run)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    km_emulator.clear_faults()
    client = client_for(km_emulator)
    live = client.list_keys(name='lost-both')
    assert len(live) == 1
    assert [key['id'] for key in results] == [live[0]['id']] * 2
    assert len(client.list_keys(name='lost-both', scheduled_for_deletion=True)) == 1
