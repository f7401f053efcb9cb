# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The keyring's pure parts: validation of the whole spec, planning every key, report rows and totals."""

from __future__ import annotations

import os

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.scwkms.key_manager.plugins.module_utils._algorithms import ALGORITHMS

from ansible_collections.scwkms.key_manager.plugins.module_utils._keyring import (
    KeyringSpecError, attention, build_entries, claim, defaults_options, human_age, key_options, management_tag_of, plan_keyring, report_row,
    restorable, spec_for, structural_errors,
    summary_message, totals,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._keyring_run import Holdings
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import NOW, TAG, key as api_key, raw


def key(name, key_id=None, **fields):
    """A protected key the keyring manages (tagged TAG)."""
    return api_key(**dict({'id': key_id or 'id-%s' % name, 'name': name, 'protected': True, 'tags': [TAG]}, **fields))


def entries(*items, **options):
    return build_entries(list(items), options.pop('defaults', None), options.pop('tag', TAG),
                         options.pop('prune', False))


def names(plan):
    return [action.name for action in plan.actions]


# -- validation ----------------------------------------------------------------------------------

def test_structural_errors_name_every_bad_entry():
    keys = [{'name': 'ok'}, {'name': 'bad-algo', 'algorithm': 'aes'}, {'algorithm': 'aes_256_gcm'},
            {'name': 'typo', 'rotaton_period': '30d'}, 'just-a-name', {'name': 'flag', 'enabled': 'maybe'}]
    errors = structural_errors(keys, {'protected': 'sometimes'}, ArgumentSpecValidator)
    assert errors[0].startswith('defaults: ')
    assert any(e.startswith('keys[1] (bad-algo): value of algorithm must be one of: aes_256_gcm,') and 'got: aes' in e
               for e in errors)
    assert 'keys[2]: missing required arguments: name' in errors
    assert any(e.startswith('keys[3] (typo): unsupported option rotaton_period') and 'rotation_period' in e
               for e in errors)
    assert any(e.startswith("keys[4]: each key must be a dictionary") for e in errors)
    assert any(e.startswith('keys[5] (flag):') and 'bool' in e for e in errors)
    assert len(errors) == 6


def test_valid_spec_has_no_structural_errors():
    keys = [{'name': 'k%d' % i, 'algorithm': 'aes_256_gcm', 'rotation_period': '90d', 'tags': ['a']}
            for i in range(50)]
    assert structural_errors(keys, {'protected': True}, ArgumentSpecValidator) == []


def test_all_semantic_errors_are_collected_before_any_request():
    with pytest.raises(KeyringSpecError) as caught:
        entries(raw('a'), raw('b', rotation_period='1h'), raw('a'), raw('c', rotate=True, rotate_if_older_than='30d'),
                raw('d', algorithm='ec_p256_sha256', rotation_period='30d'), raw('e', rotate_if_older_than='soon'),
                raw(''), prune=True, tag=None)
    errors = caught.value.errors
    assert errors[0].startswith('prune: pruning needs a management_tag')
    assert any(e.startswith('keys[1] (b): rotation_period: must be between 24h and 876000h') for e in errors)
    assert "keys[2] (a): name: 'a' is already declared by keys[0]; names must be unique within the keyring" in errors
    assert any(e.startswith('keys[3] (c): rotate and rotate_if_older_than are mutually exclusive') for e in errors)
    assert any(e.startswith('keys[4] (d): ec_p256_sha256 keys do not rotate') for e in errors)
    assert any(e.startswith("keys[5] (e): rotate_if_older_than: cannot parse 'soon'") for e in errors)
    assert 'keys[6]: name: must be a non-empty string' in errors
    assert len(errors) == 7
    assert str(caught.value).startswith('7 errors in the keyring spec, nothing was changed: prune:')


def test_defaults_fill_what_a_key_does_not_set():
    result = entries(raw('a'), raw('b', description='own', tags=['x'], protected=False),
                     defaults={'description': 'shared', 'tags': ['env:prod'], 'protected': True, 'enabled': True})
    first, second = result[0].spec, result[1].spec
    assert (first['description'], first['tags'], first['protected'], first['enabled']) == (
        'shared', ['env:prod', TAG], True, True)
    assert (second['description'], second['tags'], second['protected']) == ('own', ['x', TAG], False)
    assert first['purge_tags'] is True


def test_undeclared_tags_are_kept_and_the_management_tag_added():
    spec = entries(raw('a'))[0].spec
    assert spec['tags'] == [TAG] and spec['purge_tags'] is False
    assert entries(raw('a'), tag=None)[0].spec['tags'] is None


def test_rotation_comes_from_the_key_or_wholly_from_defaults():
    defaults = {'rotation_period': '90d', 'rotate_if_older_than': '100d'}
    inherited, own = entries(raw('a'), raw('b', rotate=True), defaults=defaults)
    assert inherited.spec['rotation_policy'] == {'rotation_period': 90 * 86400, 'next_rotation_at': None}
    assert inherited.rotate_if_older_than == 100 * 86400 and inherited.rotation_from_defaults
    assert own.spec['rotation_policy'] is None and own.spec['rotate'] is True
    assert own.spec['rotate_if_older_than'] is None and not own.rotation_from_defaults


def test_invalid_defaults_are_reported_once():
    with pytest.raises(KeyringSpecError) as caught:
        entries(raw('a'), raw('b'), defaults={'rotation_period': '2h'})
    assert len(caught.value.errors) == 1
    assert caught.value.errors[0].startswith('defaults.rotation_period: must be between 24h')


def test_default_rotation_skips_asymmetric_keys():
    sign, aes = entries(raw('sign', algorithm='ec_p256_sha256'), raw('aes'), defaults={'rotation_period': '30d'})
    assert spec_for(sign, None)['rotation_policy'] is None
    assert spec_for(aes, None)['rotation_policy']['rotation_period'] == 30 * 86400
    adopted = key('aes', usage={'asymmetric_signing': 'ec_p384_sha384'})
    assert spec_for(aes, adopted)['rotation_policy'] is None


# -- planning -----------------------------------------------------------------------------------

def test_unchanged_keyring_plans_nothing():
    declared = entries(raw('a'), raw('b', tags=['x']), defaults={'protected': True})
    owned = [key('a'), key('b', tags=['x', TAG])]
    plans = plan_keyring(declared, Holdings(owned, [], [], []), NOW)
    assert [names(plan) for plan in plans] == [[], []]
    assert [plan.error for plan in plans] == [None, None]


def test_missing_keys_are_created_adopted_or_restored():
    declared = entries(raw('new'), raw('untagged'), raw('deleted'))
    untagged = key('untagged', tags=['team:x'])
    deleted = key('deleted', state='scheduled_for_deletion', deletion_requested_at='2026-11-20T00:00:00Z')
    new, adopt, restore = plan_keyring(declared, Holdings([], [untagged], [deleted], []), NOW)
    assert names(new) == ['create'] and new.actions[0].params['tags'] == [TAG]
    assert names(adopt) == ['update'] and adopt.actions[0].params == {'tags': ['team:x', TAG]}
    assert names(restore) == ['restore'] and restore.known_ids == ('id-deleted',)


def test_duplicate_names_fail_only_that_key():
    declared = entries(raw('dup'), raw('ok'))
    dup, ok = plan_keyring(declared, Holdings([key('dup', 'id-1'), key('dup', 'id-2'), key('ok')], [], [], []), NOW)
    assert dup.error.startswith("name: 2 live keys are named 'dup' (id-1, id-2)")
    assert ok.error is None


def test_spec_errors_fail_only_that_key():
    declared = entries(raw('a', algorithm='rsa_oaep_3072_sha256'), raw('b', rotate=True))
    wrong, fine = plan_keyring(declared, Holdings([key('a'), key('b')], [], [], []), NOW)
    assert wrong.error.startswith('algorithm: key id-a (a) is aes_256_gcm')
    assert names(fine) == ['rotate']


def test_rotate_if_older_than():
    declared = entries(raw('old', rotate_if_older_than='30d'), raw('fresh', rotate_if_older_than='30d'))
    owned = [key('old', rotated_at='2026-09-01T00:00:00Z'), key('fresh', rotated_at='2026-11-20T00:00:00Z')]
    old, fresh = plan_keyring(declared, Holdings(owned, [], [], []), NOW)
    assert names(old) == ['rotate'] and names(fresh) == []


def test_absent_keys():
    declared = entries(raw('gone', state='absent', protected=False), raw('keep', state='absent'),
                       raw('never', state='absent'))
    gone, keep, never = plan_keyring(declared, Holdings([key('gone'), key('keep')], [], [], []), NOW)
    assert names(gone) == ['unprotect', 'delete']
    assert keep.error.startswith('state: key id-keep (keep) is protected')
    assert never.actions == [] and never.current is None and never.error is None


def test_prune_touches_only_owned_undeclared_keys():
    declared = entries(raw('a'))
    owned = [key('a'), key('old', protected=False), key('guarded')]
    plans = plan_keyring(declared, Holdings(owned, [], [], []), NOW, prune=True)
    assert [(plan.entry.name, names(plan), bool(plan.error)) for plan in plans] == [
        ('a', [], False), ('guarded', [], True), ('old', ['delete'], False)]
    assert 'prune_protected' in plans[1].error
    plans = plan_keyring(declared, Holdings(owned, [], [], []), NOW, prune=True, prune_protected=True)
    assert [names(plan) for plan in plans] == [[], ['unprotect', 'delete'], ['delete']]
    assert [names(plan) for plan in plan_keyring(declared, Holdings(owned, [], [], []), NOW)] == [[]]


# -- report -------------------------------------------------------------------------------------

def test_report_row_and_attention():
    declared = entries(raw('a', rotate_if_older_than='30d', rotation_period='90d'))
    current = key('a', rotated_at='2026-11-20T12:00:00Z',
                  rotation_policy={'rotation_period': '7776000s', 'next_rotation_at': '2027-02-18T12:00:00Z'})
    plan = plan_keyring(declared, Holdings([current], [], [], []), NOW)[0]
    row = report_row(plan, current, [], 'unchanged', None, NOW)
    assert row['rotation_age'] == '3d' and row['rotation_age_seconds'] == 3 * 86400
    assert row['next_rotation_at'] == '2026-12-20T12:00:00Z' and row['next_rotation_by'] == 'rotate_if_older_than'
    assert row['next_rotation_in'] == '27d' and row['rotation_period'] == '90d'
    assert (row['attention'], row['attention_reason']) == (6, 'ok')
    assert row['kms_uri'] == 'scwkms:key-id=id-a;region=fr-par'
    soon = report_row(plan, dict(current, rotated_at='2026-10-30T00:00:00Z'), [], 'unchanged', None, NOW)
    assert soon['attention_reason'] == 'rotation due soon'
    overdue = report_row(plan, dict(current, rotated_at='2026-10-01T00:00:00Z'), [], 'unchanged', None, NOW)
    assert overdue['attention_reason'] == 'rotation overdue' and overdue['next_rotation_in'].startswith('-')
    failed = report_row(plan, current, [], 'failed', 'boom', NOW)
    assert failed['attention'] == 0 and failed['error'] == 'boom'


def test_attention_of_keys_without_rotation_and_unusable_keys():
    declared = entries(raw('a'), raw('b'))
    plans = plan_keyring(declared, Holdings([key('a'), key('b', state='disabled')], [], [], []), NOW)
    never = report_row(plans[0], plans[0].current, [], 'unchanged', None, NOW)
    assert never['attention_reason'] == 'never rotates' and never['next_rotation_at'] is None
    disabled = report_row(plans[1], plans[1].current, [], 'unchanged', None, NOW)
    assert disabled['attention_reason'] == 'not usable'
    absent = report_row(plans[0], None, [], 'unchanged', None, NOW)
    assert absent['state'] == 'absent' and absent['id'] is None
    assert attention(dict(absent, status='changed'), None, NOW) == (1, 'changed')


def test_totals_and_summary():
    rows = [{'status': 'changed'}, {'status': 'changed'}, {'status': 'unchanged'}, {'status': 'failed'}]
    counts = totals(rows, [['create'], ['update', 'rotate', 'rotate'], [], []])
    assert counts['created'] == 1 and counts['updated'] == 1 and counts['rotated'] == 1
    assert counts['unchanged'] == 1 and counts['failed'] == 1 and counts['keys'] == 4 and counts['changed'] == 2
    assert summary_message(counts, False) == 'keyring of 4 keys: 1 created, 1 updated, 1 rotated, 1 unchanged, 1 failed'
    assert summary_message(counts, True).startswith('keyring of 4 keys: would be 1 created')
    assert summary_message(totals([{'status': 'unchanged'}], [[]]), False) == 'keyring of 1 key: nothing to change'


@pytest.mark.parametrize('seconds, text', [(None, None), (0, '0s'), (59, '59s'), (61, '1m'), (7200, '2h'),
                                           (86400 * 3 + 5, '3d'), (86400 * 400, '1y'), (-90000, '-1d')])
def test_human_age(seconds, text):
    assert human_age(seconds) == text


# -- ownership -----------------------------------------------------------------------------------

def test_the_management_tag_comes_from_the_keyring_name_unless_overridden():
    errors = []
    assert management_tag_of('billing', None, errors) == 'scwkms-keyring:billing'
    assert management_tag_of('billing', 'team:x', errors) == 'team:x'
    assert management_tag_of(None, '', errors) is None and errors == []
    assert management_tag_of(None, None, errors) is None and errors[0].startswith('keyring: name this keyring')
    assert management_tag_of(' padded', None, errors) is None and "' padded' is not a valid keyring name" in errors[1]


def test_claim_sorts_owned_adopted_and_conflicting_keys():
    tag = 'scwkms-keyring:mine'
    declared = entries(raw('ours'), raw('untagged'), raw('theirs'), raw('shared'), tag=tag)
    keys = [key('ours', tags=[tag]), key('untagged', tags=['team:x']), key('theirs', tags=['scwkms-keyring:other']),
            key('shared', tags=[tag, 'managed-by:scwkms-keyring']), key('stranger', tags=['scwkms-keyring:other'])]
    owned, adopted, conflicts = claim(keys, declared, tag, adopt=False)
    assert [k['name'] for k in owned] == ['ours'] and adopted == []
    assert [name for name, _message in conflicts] == ['untagged', 'theirs', 'shared']
    assert 'set adopt: true' in conflicts[0][1] and 'another keyring' in conflicts[1][1]
    owned, adopted, conflicts = claim(keys, declared, tag, adopt=True)
    assert [k['name'] for k in adopted] == ['untagged'] and [name for name, _m in conflicts] == ['theirs', 'shared']


def test_restorable_never_takes_another_keyring_s_key():
    tag = 'scwkms-keyring:mine'
    assert restorable(key('a', tags=[tag]), tag, False)
    assert not restorable(key('a', tags=[]), tag, False) and restorable(key('a', tags=[]), tag, True)
    assert not restorable(key('a', tags=['scwkms-keyring:other']), tag, True)
    assert not restorable(key('a', tags=['scwkms-keyring:other']), None, True)


def test_the_role_argument_spec_offers_exactly_the_real_algorithms():
    root = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..')
    with open(os.path.join(root, 'roles', 'keyring', 'meta', 'argument_specs.yml')) as handle:
        options = yaml.safe_load(handle)['argument_specs']['main']['options']
    for option in ('scwkms_keyring_keys', 'scwkms_keyring_defaults'):
        assert options[option]['options']['algorithm']['choices'] == list(ALGORITHMS), option
    assert set(options['scwkms_keyring_keys']['options']) == set(key_options())
    assert set(options['scwkms_keyring_defaults']['options']) == set(defaults_options())
