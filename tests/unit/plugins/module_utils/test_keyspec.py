# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pure planning and diff functions shared by scwkms_key and scwkms_keyring."""

from __future__ import annotations


import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils._apply import predict, summarize
from ansible_collections.scwkms.key_manager.plugins.module_utils._durations import DurationError
from ansible_collections.scwkms.key_manager.plugins.module_utils._keyref import KeyRefError
from ansible_collections.scwkms.key_manager.plugins.module_utils._keyspec import (
    Action, SpecError, diff_view, merged_tags, normalize_key, plan_changes, policy_differs, spec_defaults,
    spec_from_params,
)
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import KEY_ID, NOW, key as api_key


def key(**fields):
    """The protected key 'billing', created in January."""
    return api_key(**dict({'name': 'billing', 'created_at': '2026-01-01T00:00:00Z', 'updated_at': '2026-01-01T00:00:00Z',
                           'protected': True, 'tags': ['a', 'b']}, **fields))


def names(actions):
    return [action.name for action in actions]


def test_unchanged_key_plans_nothing():
    spec = spec_defaults(name='billing', algorithm='aes_256_gcm', tags=['b', 'a'], protected=True, enabled=True)
    assert plan_changes(key(), spec, NOW) == []


def test_new_key_is_created_protected_by_default():
    actions = plan_changes(None, spec_defaults(name='billing', tags=['x']), NOW)
    assert actions == [Action('create', {'name': 'billing', 'algorithm': 'aes_256_gcm', 'description': None,
                                         'tags': ['x'], 'rotation_policy': None, 'protected': True,
                                         'origin': 'scaleway_kms'})]


def test_new_disabled_key_is_created_then_disabled():
    assert names(plan_changes(None, spec_defaults(name='k', enabled=False, protected=False), NOW)) == ['create', 'disable']


def test_new_external_key_imports_material_when_given():
    spec = spec_defaults(name='k', origin='external', has_key_material=True)
    assert names(plan_changes(None, spec, NOW)) == ['create', 'import_key_material']
    assert names(plan_changes(None, spec_defaults(name='k', origin='external'), NOW)) == ['create']


def test_external_origin_needs_aes():
    with pytest.raises(SpecError, match='origin: external key material can only be imported into aes_256_gcm keys'):
        plan_changes(None, spec_defaults(name='k', origin='external', algorithm='ec_p256_sha256'), NOW)


def test_algorithm_is_immutable():
    with pytest.raises(SpecError, match='algorithm: key .* is aes_256_gcm; the algorithm of a key cannot change'):
        plan_changes(key(), spec_defaults(algorithm='rsa_oaep_3072_sha256'), NOW)


def test_tags_purged_or_merged():
    assert merged_tags(['a', 'b'], ['b', 'a'], True) == ['a', 'b']
    assert merged_tags(['a', 'b'], ['c'], True) == ['c']
    assert merged_tags(['a', 'b'], ['c', 'a'], False) == ['a', 'b', 'c']
    assert merged_tags(['a'], None, True) == ['a']
    actions = plan_changes(key(), spec_defaults(tags=['c'], purge_tags=False), NOW)
    assert actions == [Action('update', {'tags': ['a', 'b', 'c']})]


def test_description_and_name_updates():
    actions = plan_changes(key(), spec_defaults(name='renamed', description='Billing exports'), NOW)
    assert actions == [Action('update', {'name': 'renamed', 'description': 'Billing exports'})]
    assert plan_changes(key(description=None), spec_defaults(description=''), NOW) == []


def test_rotation_policy_comparison():
    policy = {'rotation_period': '2592000s', 'next_rotation_at': '2026-12-01T00:00:00.000000Z'}
    assert not policy_differs(policy, {'rotation_period': 2592000, 'next_rotation_at': None})
    assert not policy_differs(policy, {'rotation_period': 2592000, 'next_rotation_at': '2026-12-01T00:00:00Z'})
    assert policy_differs(policy, {'rotation_period': 2592000, 'next_rotation_at': '2027-01-01T00:00:00Z'})
    assert policy_differs(policy, {'rotation_period': 86400, 'next_rotation_at': None})
    assert policy_differs(None, {'rotation_period': 86400, 'next_rotation_at': None})
    assert not policy_differs(policy, None)


def test_enable_comes_before_and_disable_after_a_rotation():
    spec = spec_defaults(enabled=True, rotate=True)
    assert names(plan_changes(key(state='disabled'), spec, NOW)) == ['enable', 'rotate']
    spec = spec_defaults(enabled=False, rotate=True)
    assert names(plan_changes(key(), spec, NOW)) == ['rotate', 'disable']


def test_rotate_if_older_than_is_idempotent():
    spec = spec_defaults(rotate_if_older_than=30 * 86400)
    assert plan_changes(key(rotated_at='2026-11-01T00:00:00Z'), spec, NOW) == []
    assert names(plan_changes(key(rotated_at='2026-10-01T00:00:00Z'), spec, NOW)) == ['rotate']


def test_asymmetric_keys_do_not_rotate():
    signing = key(usage={'asymmetric_signing': 'ec_p256_sha256'})
    with pytest.raises(SpecError, match=r'rotate: key .* is ec_p256_sha256 \(asymmetric_signing\); only symmetric keys can be rotated'):
        plan_changes(signing, spec_defaults(rotate=True), NOW)


def test_external_keys_rotate_by_importing_material():
    external = key(origin='external')
    assert plan_changes(external, spec_defaults(rotate=True, has_key_material=True), NOW) == [
        Action('import_key_material', {'rotation': True})]
    with pytest.raises(SpecError, match='key_material: key .* has external key material; rotating it means importing'):
        plan_changes(external, spec_defaults(rotate=True), NOW)


def test_pending_external_key_gets_its_material():
    pending = key(origin='external', state='pending_key_material', rotation_count=0, rotated_at=None)
    assert names(plan_changes(pending, spec_defaults(has_key_material=True), NOW)) == ['import_key_material']
    assert plan_changes(pending, spec_defaults(), NOW) == []


def test_key_scheduled_for_deletion_is_restored():
    scheduled = key(state='scheduled_for_deletion', deletion_requested_at='2026-11-22T00:00:00Z')
    assert names(plan_changes(scheduled, spec_defaults(), NOW)) == ['restore']
    assert names(plan_changes(scheduled, spec_defaults(tags=['z']), NOW)) == ['restore', 'update']


def test_absent():
    assert plan_changes(None, spec_defaults(state='absent'), NOW) == []
    assert plan_changes(key(state='scheduled_for_deletion'), spec_defaults(state='absent'), NOW) == []
    assert names(plan_changes(key(protected=False), spec_defaults(state='absent'), NOW)) == ['delete']
    assert names(plan_changes(key(), spec_defaults(state='absent', protected=False), NOW)) == ['unprotect', 'delete']
    with pytest.raises(SpecError, match='state: key .* is protected and cannot be deleted; add protected: false'):
        plan_changes(key(), spec_defaults(state='absent'), NOW)


def test_locked_keys_refuse_changes_but_allow_no_ops():
    assert plan_changes(key(locked=True), spec_defaults(), NOW) == []
    with pytest.raises(SpecError, match='is locked'):
        plan_changes(key(locked=True), spec_defaults(tags=['z']), NOW)


def test_prediction_and_diff():
    actions = plan_changes(key(), spec_defaults(tags=['z'], rotate=True, enabled=False,
                                                rotation_policy={'rotation_period': 86400, 'next_rotation_at': None}), NOW)
    after = predict(key(), actions, NOW)
    assert after['tags'] == ['z']
    assert after['rotation_count'] == 2
    assert after['state'] == 'disabled'
    assert after['rotation_policy'] == {'rotation_period': '86400s', 'next_rotation_at': '2026-11-24T12:00:00Z'}
    before, changed = diff_view(key()), diff_view(after)
    assert before['rotation_period'] is None and changed['rotation_period'] == '1d'
    assert summarize(actions) == ['updated', 'rotated', 'disabled']
    assert diff_view(None) == {}


def test_predicted_new_key():
    actions = plan_changes(None, spec_defaults(name='k', algorithm='ec_p384_sha384', protected=False), NOW)
    predicted = predict(None, actions, NOW)
    assert predicted['usage'] == {'asymmetric_signing': 'ec_p384_sha384'}
    assert predicted['state'] == 'enabled' and predicted['protected'] is False and predicted['rotation_count'] == 1


def test_normalize_key():
    normalized = normalize_key(key(rotation_policy={'rotation_period': '2592000s', 'next_rotation_at': None},
                                   deletion_requested_at='2026-11-20T10:00:00.5Z'))
    assert normalized['algorithm'] == 'aes_256_gcm'
    assert normalized['usage'] == 'symmetric_encryption'
    assert normalized['rotation_policy'] == {'rotation_period': 2592000, 'rotation_period_human': '30d',
                                             'next_rotation_at': None}
    assert normalized['purge_at'] == '2026-11-27T10:00:00.500000Z'
    assert normalized['kms_uri'] == 'scwkms:key-id=%s;region=fr-par' % KEY_ID


POLICY = {'rotation_period': 30 * 86400, 'next_rotation_at': None}


def test_rotation_policy_on_asymmetric_keys_is_refused_before_any_call():
    with pytest.raises(SpecError, match='^rotation_policy: a new ec_p256_sha256 key is asymmetric_signing; only '
                                        'symmetric keys rotate'):
        plan_changes(None, spec_defaults(name='k', algorithm='ec_p256_sha256', rotation_policy=POLICY), NOW)
    signer = key(usage={'asymmetric_signing': 'rsa_pss_2048_sha256'})
    with pytest.raises(SpecError, match='^rotation_policy: key %s [(]rsa_pss_2048_sha256[)] is asymmetric_signing' % KEY_ID):
        plan_changes(signer, spec_defaults(rotation_policy=POLICY), NOW)
    assert names(plan_changes(key(), spec_defaults(rotation_policy=POLICY), NOW)) == ['update']


def params(**values):
    base = dict(name='k', algorithm=None, description=None, tags=None, purge_tags=True, rotation_policy=None,
                enabled=None, protected=None, origin=None, rotate=False, rotate_if_older_than=None, key_material=None,
                state='present')
    base.update(values)
    return base


def test_spec_from_params_checks_every_value():
    spec = spec_from_params(params(rotation_policy={'rotation_period': '30d', 'next_rotation_at': '2027-01-01T00:00:00+00:00'},
                                   rotate_if_older_than='90d', key_material='x'), NOW)
    assert spec['rotation_policy'] == {'rotation_period': 2592000, 'next_rotation_at': '2027-01-01T00:00:00Z'}
    assert spec['rotate_if_older_than'] == 90 * 86400 and spec['has_key_material']
    with pytest.raises(KeyRefError, match='^name: .*whitespace'):
        spec_from_params(params(name='k '), NOW)
    with pytest.raises(DurationError, match='^rotation_policy.next_rotation_at: .* is in the past'):
        spec_from_params(params(rotation_policy={'rotation_period': '30d', 'next_rotation_at': '2020-01-01T00:00:00Z'}), NOW)
    with pytest.raises(SpecError, match='mutually exclusive'):
        spec_from_params(params(rotate=True, rotate_if_older_than='1d'), NOW)
