# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The keyring's reads and writes against an in-memory fake of the client: which calls, how many."""

from __future__ import annotations

import datetime
import threading
import types
import uuid

from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerError
from ansible_collections.scwkms.key_manager.plugins.module_utils._keyring import build_entries
from ansible_collections.scwkms.key_manager.plugins.module_utils._keyring_run import (
    LastKeyClient, converge, read_keyring,
)
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import (
    NOW, PROJECT, TAG, client_for, key as api_key, raw,
)


class FakeApi(object):
    """Keys in memory, shared by every FakeClient; calls are logged as (method name, detail)."""

    def __init__(self):
        self.keys = {}
        self.calls = []
        self.fail = {}  # (method, key name) -> KeyManagerError to raise
        self.lock = threading.Lock()
        self.threads = set()
        self.meet = None  # a threading.Barrier that the first creates must pass together
        self.creates = 0

    def add(self, name, **fields):
        key = api_key(**dict({'id': str(uuid.uuid4()), 'name': name, 'protected': True, 'tags': [TAG]}, **fields))
        self.keys[key['id']] = key
        return key

    def named(self, name):
        return [key for key in self.keys.values() if key['name'] == name]


class FakeClient(object):
    def __init__(self, api):
        self.api = api
        self.session = self
        self.settings = types.SimpleNamespace(api_url='http://fake.invalid', retry_deadline=5)

    def close(self):
        pass

    def server_now(self):
        return NOW

    def _log(self, method, detail, name=None):
        with self.api.lock:
            self.api.calls.append((method, detail))
            self.api.threads.add(threading.current_thread().name)
        error = self.api.fail.get((method, name))
        if error is not None:
            raise error

    def list_keys(self, tags=None, project_id=None, scheduled_for_deletion=False, page_size=100, region=None, **_):
        found = sorted((key for key in self.api.keys.values()
                        if (key['state'] == 'scheduled_for_deletion') == scheduled_for_deletion
                        and all(tag in key['tags'] for tag in tags or [])), key=lambda key: key['name'])
        pages = max(1, -(-len(found) // page_size))
        for page in range(pages):
            self._log('list_keys', (tuple(tags or ()), scheduled_for_deletion, page + 1))
        return [dict(key) for key in found]

    def create_key(self, name, algorithm, project_id=None, description=None, tags=None, rotation_policy=None,
                   protected=True, origin='scaleway_kms', region=None, known_ids=()):
        self._log('create_key', name, name)
        with self.api.lock:
            self.api.creates += 1
            first = self.api.meet is not None and self.api.creates <= self.api.meet.parties
        if first:
            self.api.meet.wait(timeout=30)  # the first creates wait for each other: proof they overlap
        policy = None if rotation_policy is None else {'rotation_period': '%ds' % rotation_policy['rotation_period'],
                                                       'next_rotation_at': '2027-01-01T00:00:00Z'}
        return dict(self.api.add(name, description=description, tags=list(tags or []), protected=protected,
                                 rotation_policy=policy, created_at='2026-11-23T12:00:00Z',
                                 rotated_at='2026-11-23T12:00:00Z'))

    def _change(self, method, key_id, **fields):
        key = self.api.keys[key_id]
        self._log(method, key['name'], key['name'])
        key.update(fields)
        return dict(key)

    def update_key(self, key_id, name=None, description=None, tags=None, rotation_policy=None, region=None):
        fields = dict((field, value) for field, value in (('description', description), ('tags', tags))
                      if value is not None)
        return self._change('update_key', key_id, **fields)

    def rotate_key(self, key_id, region=None, current=None):
        key = self.api.keys[key_id]
        return self._change('rotate_key', key_id, rotation_count=key['rotation_count'] + 1,
                            rotated_at='2026-11-23T12:00:00Z')

    def disable_key(self, key_id, region=None):
        return self._change('disable_key', key_id, state='disabled')

    def enable_key(self, key_id, region=None):
        return self._change('enable_key', key_id, state='enabled')

    def unprotect_key(self, key_id, region=None):
        return self._change('unprotect_key', key_id, protected=False)

    def protect_key(self, key_id, region=None):
        return self._change('protect_key', key_id, protected=True)

    def restore_key(self, key_id, region=None):
        return self._change('restore_key', key_id, state='disabled', deletion_requested_at=None)

    def delete_key(self, key_id, region=None):
        self._change('delete_key', key_id, state='scheduled_for_deletion',
                     deletion_requested_at='2026-11-23T12:00:00Z')


def run(api, keys, defaults=None, tag=TAG, **options):
    entries = build_entries(keys, defaults, tag, options.get('prune', False))
    return converge(FakeClient(api), lambda: FakeClient(api), entries, PROJECT, 'fr-par', management_tag=tag,
                    **options)


def methods(api):
    return [call[0] for call in api.calls]


def test_unchanged_keyring_costs_one_list_request_per_page():
    api = FakeApi()
    for number in range(250):
        api.add('svc-%03d' % number)
    api.add('other-team', tags=['team:other'])
    result = run(api, [raw('svc-%03d' % number) for number in range(250)], page_size=100)
    assert api.calls == [('list_keys', ((TAG,), False, page)) for page in (1, 2, 3)]
    assert not result['changed'] and result['totals']['unchanged'] == 250 and result['errors'] == []
    assert result['listed'] == {'owned': 250, 'adopted': 0, 'scheduled_for_deletion': 0}


def test_missing_keys_cost_one_more_list_of_live_keys_and_one_of_scheduled_keys():
    api = FakeApi()
    api.add('owned')
    api.add('untagged', tags=['team:x'])
    api.add('deleted', state='scheduled_for_deletion', deletion_requested_at='2026-11-22T00:00:00Z', tags=[])
    result = run(api, [raw('owned'), raw('untagged'), raw('deleted'), raw('new')], adopt=True)
    assert methods(api)[:3] == ['list_keys', 'list_keys', 'list_keys']
    assert [call[1][:2] for call in api.calls[:3]] == [((TAG,), False), ((), False), ((), True)]
    # a create is followed by one list of its name (settle_created: did another task create it too?)
    assert sorted(methods(api)[3:]) == ['create_key', 'list_keys', 'restore_key', 'update_key', 'update_key']
    assert [row['actions'] for row in result['keyring']] == [[], ['updated'], ['restored', 'updated'], ['created']]
    assert result['totals']['created'] == 1 and result['totals']['restored'] == 1 and result['totals']['updated'] == 2
    assert len(api.named('new')) == 1 and len(api.named('untagged')) == 1 and len(api.named('deleted')) == 1
    assert api.named('untagged')[0]['tags'] == ['team:x', TAG]
    assert api.named('deleted')[0]['state'] == 'disabled'  # restored as the fake API restores


def test_restored_key_is_planned_again_from_what_the_api_returned():
    api = FakeApi()
    api.add('deleted', state='scheduled_for_deletion', deletion_requested_at='2026-11-22T00:00:00Z')
    result = run(api, [raw('deleted', enabled=True)])
    assert result['keyring'][0]['actions'] == ['restored', 'enabled']
    assert result['keyring'][0]['state'] == 'enabled'


def test_check_mode_lists_only_and_predicts():
    api = FakeApi()
    api.add('a')
    result = run(api, [raw('a', rotate=True), raw('b')], check_mode=True, want_diff=True)
    assert set(methods(api)) == {'list_keys'}
    assert result['changed'] and result['totals']['rotated'] == 1 and result['totals']['created'] == 1
    assert [row['status'] for row in result['keyring']] == ['changed', 'changed']
    assert [diff['before_header'] for diff in result['diff']] == ['key a', 'key b']
    assert result['diff'][1]['before'] == {} and result['diff'][1]['after']['name'] == 'b'
    assert result['msg'].startswith('keyring of 2 keys: would be 1 created, 1 rotated')


def test_writes_run_on_a_bounded_pool_of_clients():
    api = FakeApi()
    api.meet = threading.Barrier(4)
    result = run(api, [raw('k%02d' % number) for number in range(40)], parallelism=4)
    assert result['totals']['created'] == 40 and result['errors'] == []
    assert len(api.threads - {threading.current_thread().name}) == 4


def test_a_failing_key_does_not_lose_the_others():
    api = FakeApi()
    api.add('a', rotation_count=1)
    api.add('b')
    api.fail[('rotate_key', 'a')] = KeyManagerError('boom', 'POST', '/keys/x/rotate', 500)
    result = run(api, [raw('a', description='new', rotate=True), raw('b', rotate=True), raw('c')], parallelism=3)
    first, second, third = result['keyring']
    assert first['status'] == 'failed' and first['actions'] == ['updated']
    assert first['error'].startswith('Key Manager API call failed: POST /keys/x/rotate: HTTP 500')
    assert second['actions'] == ['rotated'] and third['actions'] == ['created']
    assert result['changed'] and result['totals']['failed'] == 1 and result['totals']['rotated'] == 1
    assert result['errors'] == ['keys[0] (a): %s' % first['error']]


def test_prune_with_and_without_protected_keys():
    api = FakeApi()
    api.add('keep')
    api.add('old', protected=False)
    api.add('guarded')
    api.add('foreign', tags=['team:other'], protected=False)
    result = run(api, [raw('keep')], prune=True)
    rows = dict((row['name'], row) for row in result['keyring'])
    assert rows['old']['actions'] == ['scheduled for deletion'] and rows['old']['desired_state'] == 'pruned'
    assert rows['guarded']['status'] == 'failed' and 'foreign' not in rows
    assert api.named('foreign')[0]['state'] == 'enabled'
    result = run(api, [raw('keep')], prune=True, prune_protected=True)
    assert [(row['name'], row['actions']) for row in result['keyring']] == [
        ('keep', []), ('guarded', ['unprotected', 'scheduled for deletion'])]
    assert result['totals']['scheduled_for_deletion'] == 1


def test_without_management_tag_every_live_key_is_read_once():
    api = FakeApi()
    api.add('a', tags=[])
    result = run(api, [raw('a'), raw('gone', state='absent')], tag=None)
    assert api.calls == [('list_keys', ((), False, 1))]
    assert not result['changed']


def test_last_key_client_passes_reads_through():
    api = FakeApi()
    recorder = LastKeyClient(FakeClient(api))
    assert recorder.list_keys() == [] and recorder.last is None
    created = recorder.create_key(name='x', algorithm='aes_256_gcm')
    assert recorder.last == created


def test_read_keyring_keeps_exact_tag_carriers_only():
    class Loose(FakeClient):
        def list_keys(self, tags=None, **kwargs):
            return FakeClient.list_keys(self, tags=None, **kwargs)

    api = FakeApi()
    api.add('mine')
    api.add('theirs', tags=['%s-not-quite' % TAG])
    entries = build_entries([raw('mine')], None, TAG, False)
    held = read_keyring(Loose(api), entries, PROJECT, 'fr-par', TAG, 100)
    assert [key['name'] for key in held.owned] == ['mine'] and held.adopted == [] and held.scheduled == []


# -- races against the in-process emulator ----------------------------------------------------------

RACE_NAMES = ['race-a', 'race-b', 'race-c']


def race_converge(url, lock_dir, secret, keyring='race'):
    """One controller's (or fork's) run of the same keyring, with its own clients."""
    from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerClient
    from ansible_collections.scwkms.key_manager.plugins.module_utils._credentials import resolve_settings

    settings = resolve_settings({'api_url': url, 'secret_key': secret, 'project_id': PROJECT, 'region': 'fr-par',
                                 'retry_deadline': 60}, environ={})
    tag = 'scwkms-keyring:%s' % keyring
    entries = build_entries([raw(name, tags=['team:%s' % name], protected=False) for name in RACE_NAMES], None, tag,
                            False)
    return converge(KeyManagerClient(settings), lambda: KeyManagerClient(settings), entries, PROJECT, 'fr-par',
                    management_tag=tag, lock_dir=lock_dir, parallelism=3)


def run_racers(url, lock_dirs):
    secret = str(uuid.uuid4())
    results, errors = [], []

    def racer(lock_dir):
        try:
            results.append(race_converge(url, lock_dir, secret))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=racer, args=(lock_dir,)) for lock_dir in lock_dirs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def live_by_name(km_emulator):
    live = {}
    for key in client_for(km_emulator).list_keys():
        live.setdefault(key['name'], []).append(key)
    return live


def test_ten_forks_converging_one_keyring_make_one_key_per_name(km_emulator, tmp_path):
    km_emulator.set_faults([{'type': 'latency', 'ms': 1500, 'route': 'POST /keys'}])
    results = run_racers(km_emulator.url, [str(tmp_path)] * 10)
    live = live_by_name(km_emulator)
    assert sorted(live) == RACE_NAMES and all(len(keys) == 1 for keys in live.values())
    assert all(live[name][0]['tags'] == ['team:%s' % name, 'scwkms-keyring:race'] for name in RACE_NAMES)
    # the host lock made the others wait and find the keys: exactly three creates in all, none deleted
    assert km_emulator.counts().get('POST /keys') == 3 and 'DELETE /keys/{key_id}' not in km_emulator.counts()
    assert sorted(result['totals']['created'] for result in results) == [0] * 9 + [3]
    assert all(result['errors'] == [] for result in results)


def test_two_controllers_converging_one_keyring_settle_on_one_key_per_name(km_emulator, tmp_path):
    km_emulator.set_faults([{'type': 'latency', 'ms': 1500, 'route': 'POST /keys'}])
    (tmp_path / 'one').mkdir()
    (tmp_path / 'two').mkdir()
    results = run_racers(km_emulator.url, [str(tmp_path / 'one'), str(tmp_path / 'two')])
    live = live_by_name(km_emulator)
    assert sorted(live) == RACE_NAMES and all(len(keys) == 1 for keys in live.values())
    assert all(live[name][0]['tags'] == ['team:%s' % name, 'scwkms-keyring:race'] for name in RACE_NAMES)
    assert all(result['errors'] == [] for result in results)
    # both created every key; each loser scheduled the deletion of its own copy only
    assert km_emulator.counts().get('POST /keys') == 6 and km_emulator.counts().get('DELETE /keys/{key_id}') == 3


def test_ages_and_rotate_if_older_than_use_the_api_s_clock():
    class ApiClock(FakeClient):
        def server_now(self):
            return datetime.datetime(2030, 3, 2, tzinfo=datetime.timezone.utc)

    api = FakeApi()
    api.add('due', rotated_at='2030-01-01T00:00:00Z', created_at='2030-01-01T00:00:00Z')
    api.add('fresh', rotated_at='2030-02-20T00:00:00Z', created_at='2030-01-01T00:00:00Z')
    entries = build_entries([raw('due', rotate_if_older_than='30d'), raw('fresh', rotate_if_older_than='30d')], None,
                            TAG, False)
    result = converge(ApiClock(api), lambda: ApiClock(api), entries, PROJECT, 'fr-par', management_tag=TAG)
    due, fresh = result['keyring']
    assert due['actions'] == ['rotated'] and result['generated_at'] == '2030-03-02T00:00:00Z'
    assert fresh['actions'] == [] and fresh['rotation_age_seconds'] == 10 * 86400 and fresh['rotation_age'] == '10d'
    assert fresh['next_rotation_at'] == '2030-03-22T00:00:00Z' and fresh['next_rotation_in'] == '20d'


def test_two_live_keys_of_one_name_are_read_again_while_a_racer_settles():
    class Settling(FakeClient):
        """The second list no longer shows the later copy: the other controller's loser deleted it."""
        def list_keys(self, **kwargs):
            listed = FakeClient.list_keys(self, **kwargs)
            loser = [key for key in self.api.named('dup') if key['created_at'] > '2026-11-01T00:00:00Z']
            if loser and loser[0]['state'] == 'enabled':
                loser[0]['state'] = 'scheduled_for_deletion'
            return listed

    api = FakeApi()
    winner = api.add('dup')
    api.add('dup', created_at='2026-11-02T00:00:00Z')
    entries = build_entries([raw('dup', description='d')], None, TAG, False)
    result = converge(Settling(api), lambda: Settling(api), entries, PROJECT, 'fr-par', management_tag=TAG)
    assert result['errors'] == [] and result['keyring'][0]['id'] == winner['id']
    assert result['keyring'][0]['actions'] == ['updated']
    assert methods(api).count('list_keys') == 2
