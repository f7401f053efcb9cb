# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_apply.py: the action table, prediction, and plan execution against the in-process emulator."""

from __future__ import annotations

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils import _apply
from ansible_collections.scwkms.key_manager.plugins.module_utils._apply import (
    ACTIONS, Progress, apply_plan, keep_tags, predict, summarize,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerClient, KeyManagerError
from ansible_collections.scwkms.key_manager.plugins.module_utils._keyspec import Action, plan_changes, spec_defaults
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import NOW, PROJECT

pytest.importorskip('scwkms_emulator')


def test_one_table_names_every_action_and_its_client_method():
    assert list(ACTIONS) == ['create', 'restore', 'update', 'enable', 'disable', 'import_key_material', 'rotate',
                             'protect', 'unprotect', 'delete']
    for kind in ACTIONS.values():
        assert callable(getattr(KeyManagerClient, kind.method)) and callable(kind.call) and callable(kind.predict)
    assert summarize(['create', Action('delete', {})]) == ['created', 'scheduled for deletion']
    assert ACTIONS['import_key_material'].total == 'rotated'


def test_predict_restore_then_delete():
    key = {'id': 'k', 'state': 'scheduled_for_deletion', 'deletion_requested_at': '2026-11-20T00:00:00Z'}
    restored = predict(key, [Action('restore', {})], NOW)
    assert restored['state'] == 'enabled' and restored['deletion_requested_at'] is None
    assert restored['updated_at'] == '2026-11-23T12:00:00Z'
    assert predict(restored, [Action('delete', {})], NOW)['state'] == 'scheduled_for_deletion'


def test_restore_reports_the_enable_it_sent(api, monkeypatch):
    _km, _settings, client = api
    key = client.create_key(name='restored', algorithm='aes_256_gcm', protected=False)
    client.delete_key(key['id'])
    original = client.restore_key

    def restore_disabled(key_id, region=None):
        original(key_id, region=region)
        return client.disable_key(key_id, region=region)  # a restore that comes back disabled
    monkeypatch.setattr(client, 'restore_key', restore_disabled)
    spec = spec_defaults(name='restored', enabled=True)
    current = client.get_key(key['id'])
    progress = Progress()
    final = apply_plan(client, current, plan_changes(current, spec, NOW), spec, 'fr-par', PROJECT, progress=progress)
    assert final['state'] == 'enabled'
    assert summarize(progress.done) == ['restored', 'enabled']


def test_a_create_that_loses_the_race_adopts_the_winner(api):
    _km, _settings, client = api
    winner = client.create_key(name='raced', algorithm='aes_256_gcm', protected=True)
    spec = spec_defaults(name='raced', description='mine', protected=True)
    progress = Progress()
    # Planned when no key had the name; another task created one meanwhile.
    final = apply_plan(client, None, plan_changes(None, spec, NOW), spec, 'fr-par', PROJECT, progress=progress)
    assert final['id'] == winner['id'] and final['description'] == 'mine'
    assert progress.done == ['update'] and len(progress.discarded) == 1
    assert client.get_key(progress.discarded[0])['state'] == 'scheduled_for_deletion'
    assert [key['id'] for key in client.list_keys(name='raced')] == [winner['id']]


def test_added_tags_are_merged_again_after_a_concurrent_overwrite(api, monkeypatch):
    km, _settings, client = api
    key = client.create_key(name='tagged', algorithm='aes_256_gcm', tags=['base'], protected=False)
    original = client.update_key
    overwrites = []

    def racing_update(key_id, **fields):
        answer = original(key_id, **fields)
        if not overwrites:  # another writer replaces the list right after our PATCH
            overwrites.append(original(key_id, tags=['base', 'theirs']))
        return answer
    monkeypatch.setattr(client, 'update_key', racing_update)
    spec = spec_defaults(name='tagged', tags=['mine'], purge_tags=False)
    km.clear_requests()
    final = apply_plan(client, key, plan_changes(key, spec, NOW), spec, 'fr-par', PROJECT)
    assert final['tags'] == ['base', 'theirs', 'mine']
    assert km.counts() == {'PATCH /keys/{key_id}': 3, 'GET /keys/{key_id}': 2}
    assert client.get_key(key['id'])['tags'] == ['base', 'theirs', 'mine']


def test_tags_that_keep_disappearing_fail_clearly(api, monkeypatch):
    _km, _settings, client = api
    key = client.create_key(name='flaky', algorithm='aes_256_gcm', protected=False)
    monkeypatch.setattr(client, 'update_key', lambda key_id, **fields: dict(key, tags=[]))
    monkeypatch.setattr(_apply, 'TAG_ATTEMPTS', 2)
    with pytest.raises(KeyManagerError, match='removed again by concurrent updates 2 times'):
        keep_tags(client, key, ['mine'], 'fr-par')
