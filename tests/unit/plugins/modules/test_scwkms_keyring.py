# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scwkms_keyring end to end in one process: the module's main() against the in-process emulator."""

from __future__ import annotations

import pytest

from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_keyring
from ansible_collections.scwkms.key_manager.tests.unit.plugins.modules.module_runner import Exit
from ansible_collections.scwkms.key_manager.tests.unit.plugins.modules.module_runner import run_module as run_scwkms_module
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import client_for, connection

pytest.importorskip('scwkms_emulator')

TAG = 'scwkms-keyring:unit'


def run_module(args, check_mode=False, diff=False):
    result, failed = run_scwkms_module(scwkms_keyring.main, args, check_mode=check_mode, diff=diff)
    return Exit(result, failed)


@pytest.fixture
def emulator(km_emulator):
    return km_emulator


def args_for(emulator, keys, **options):
    return connection(emulator, **dict({'max_retries': 8, 'retry_deadline': 60, 'keys': keys, 'keyring': 'unit'},
                                       **options))


def writes(emulator):
    return dict((route, count) for route, count in emulator.counts().items() if not route.startswith('GET '))


def live_keys(emulator):
    client = client_for(emulator)
    return client.list_keys(), client.list_keys(scheduled_for_deletion=True)


def test_converge_rerun_change_a_few(emulator):
    keys = [{'name': 'svc-%03d' % number, 'tags': ['team:%d' % (number % 3)]} for number in range(120)]
    keys.append({'name': 'signer', 'algorithm': 'ec_p256_sha256'})
    defaults = {'rotation_period': '90d', 'protected': False}
    first = run_module(args_for(emulator, keys, defaults=defaults, parallelism=4))
    assert not first.failed, first.result['msg']
    assert first.result['totals']['created'] == 121 and first.result['changed']
    signer = first.result['keyring'][-1]
    assert signer['algorithm'] == 'ec_p256_sha256' and signer['rotation_period'] is None
    assert first.result['keyring'][0]['rotation_period'] == '90d'
    assert first.result['keyring'][0]['tags'] == ['team:0', TAG]

    emulator.clear_requests()
    again = run_module(args_for(emulator, keys, defaults=defaults, page_size=50))
    assert not again.failed and not again.result['changed']
    assert emulator.counts() == {'GET /keys': 3}
    assert again.result['msg'] == 'keyring of 121 keys: nothing to change'

    emulator.clear_requests()
    keys[3]['rotate'] = True
    keys[5]['description'] = 'five'
    keys[7]['enabled'] = False
    changed = run_module(args_for(emulator, keys, defaults=defaults), diff=True)
    assert not changed.failed
    assert [(row['name'], row['actions']) for row in changed.result['keyring'] if row['actions']] == [
        ('svc-003', ['rotated']), ('svc-005', ['updated']), ('svc-007', ['disabled'])]
    assert writes(emulator) == {'POST /keys/{key_id}/rotate': 1, 'PATCH /keys/{key_id}': 1,
                                'POST /keys/{key_id}/disable': 1}
    assert [diff['before_header'] for diff in changed.result['diff']] == ['key svc-003', 'key svc-005', 'key svc-007']
    live = live_keys(emulator)[0]
    assert len(live) == 121 and len(set(key['name'] for key in live)) == 121


def test_check_mode_writes_nothing(emulator):
    result = run_module(args_for(emulator, [{'name': 'a'}, {'name': 'b'}]), check_mode=True, diff=True)
    assert result.result['changed'] and result.result['check_mode']
    assert result.result['totals']['created'] == 2 and len(result.result['diff']) == 2
    assert writes(emulator) == {}


def test_the_whole_spec_is_validated_before_any_request(emulator):
    keys = [{'name': 'a', 'algorithm': 'aes'}, {'description': 'no name'}, {'name': 'c', 'rotation_period': '2h'},
            {'name': 'c'}]
    result = run_module(args_for(emulator, keys))
    assert result.failed and len(result.result['errors']) == 2  # type errors first: the module stops there
    assert result.result['errors'][0].startswith('keys[0] (a): value of algorithm must be one of')
    assert result.result['errors'][1] == 'keys[1]: missing required arguments: name'
    result = run_module(args_for(emulator, keys[2:], prune=True, management_tag=''))
    assert result.failed and len(result.result['errors']) == 3
    assert emulator.requests() == []


def test_parallelism_bounds(emulator):
    result = run_module(args_for(emulator, [{'name': 'a'}], parallelism=0, page_size=500))
    assert result.failed
    assert result.result['errors'] == ['parallelism: must be between 1 and 64, got 0',
                                       'page_size: must be between 1 and 100, got 500']


def test_adopt_restore_and_prune(emulator):
    client = client_for(emulator)
    untagged = client.create_key(name='adopt-me', algorithm='aes_256_gcm', tags=['team:x'], protected=False)
    deleted = client.create_key(name='bring-back', algorithm='aes_256_gcm', protected=False)
    client.delete_key(deleted['id'])
    foreign = client.create_key(name='foreign', algorithm='aes_256_gcm', protected=False)

    result = run_module(args_for(emulator, [{'name': 'adopt-me'}, {'name': 'bring-back'}, {'name': 'prune-me'}],
                                 defaults={'protected': False}, adopt=True))
    assert not result.failed, result.result['msg']
    expected = [['updated'], ['restored', 'updated'], ['created']]
    assert [row['actions'] for row in result.result['keyring']] == expected
    assert result.result['keyring'][0]['id'] == untagged['id']
    assert result.result['keyring'][1]['id'] == deleted['id']

    emulator.clear_requests()
    pruned = run_module(args_for(emulator, [{'name': 'adopt-me'}, {'name': 'bring-back'}], prune=True))
    assert not pruned.failed, pruned.result['msg']
    assert [(row['name'], row['actions']) for row in pruned.result['keyring']] == [
        ('adopt-me', []), ('bring-back', []), ('prune-me', ['scheduled for deletion'])]
    assert emulator.counts() == {'GET /keys': 1, 'DELETE /keys/{key_id}': 1}
    live, scheduled = live_keys(emulator)
    assert foreign['id'] in [key['id'] for key in live]
    assert sorted(key['name'] for key in scheduled) == ['prune-me']


def test_duplicate_live_keys_fail_that_key_only(emulator):
    client = client_for(emulator)
    ids = sorted(client.create_key(name='twin', algorithm='aes_256_gcm', tags=[TAG])['id'] for dummy in range(2))
    result = run_module(args_for(emulator, [{'name': 'twin'}, {'name': 'single'}]))
    assert result.failed and result.result['changed']
    assert result.result['msg'].startswith('1 of 2 keys failed (keyring of 2 keys: 1 created')
    assert ', '.join(ids) in result.result['keyring'][0]['error']
    assert result.result['keyring'][1]['actions'] == ['created']


def test_faults_never_duplicate_a_key(emulator):
    emulator.set_faults([
        {'type': 'drop_after_commit', 'route': 'POST /keys', 'rate': 0.3},
        {'type': 'error', 'route': '*', 'rate': 0.1, 'status': 503},
        {'type': 'drop_after_commit', 'route': 'POST /keys/*/rotate', 'rate': 0.3},
    ], seed=7)
    keys = [{'name': 'f-%02d' % number} for number in range(40)]
    try:
        first = run_module(args_for(emulator, keys, parallelism=8))
        assert not first.failed, first.result['msg']
        keys = [dict(key, rotate=True) if number % 4 == 0 else key for number, key in enumerate(keys)]
        second = run_module(args_for(emulator, keys, parallelism=8))
        assert not second.failed, second.result['msg']
    finally:
        emulator.clear_faults()
    live = live_keys(emulator)[0]
    assert sorted(key['name'] for key in live) == sorted('f-%02d' % number for number in range(40))
    rotations = dict((key['name'], key['rotation_count']) for key in live)
    assert all(rotations['f-%02d' % number] == (2 if number % 4 == 0 else 1) for number in range(40))
    emulator.clear_requests()
    third = run_module(args_for(emulator, [{'name': 'f-%02d' % number} for number in range(40)]))
    assert not third.result['changed'] and emulator.counts() == {'GET /keys': 1}


def test_a_keyring_needs_a_name_before_any_request(emulator):
    args = args_for(emulator, [{'name': 'a'}])
    del args['keyring']
    result = run_module(args)
    assert result.failed and result.result['errors'][0].startswith('keyring: name this keyring')
    assert emulator.requests() == []


def test_two_keyrings_in_one_project_never_touch_each_other(emulator):
    alpha = [{'name': 'alpha-1'}, {'name': 'alpha-2'}]
    assert not run_module(args_for(emulator, alpha, keyring='alpha', defaults={'protected': False})).failed
    beta = run_module(args_for(emulator, [{'name': 'beta-1'}], keyring='beta', defaults={'protected': False}))
    assert beta.result['keyring'][0]['tags'] == ['scwkms-keyring:beta']

    emulator.clear_requests()
    pruned = run_module(args_for(emulator, alpha[:1], keyring='alpha', prune=True))
    assert not pruned.failed, pruned.result['msg']
    assert [(row['name'], row['actions']) for row in pruned.result['keyring']] == [
        ('alpha-1', []), ('alpha-2', ['scheduled for deletion'])]
    live, scheduled = live_keys(emulator)
    assert sorted(key['name'] for key in live) == ['alpha-1', 'beta-1']
    assert [key['name'] for key in scheduled] == ['alpha-2']

    # beta declaring alpha's key: a conflict, whatever adopt says, and nothing is written for any key.
    emulator.clear_requests()
    theirs = run_module(args_for(emulator, [{'name': 'beta-1'}, {'name': 'alpha-1'}, {'name': 'beta-2'}],
                                 keyring='beta', adopt=True, prune=True))
    assert theirs.failed and not theirs.result['changed'] and writes(emulator) == {}
    alpha_1 = [key for key in live if key['name'] == 'alpha-1'][0]
    assert theirs.result['conflicts'] == theirs.result['errors']
    assert len(theirs.result['conflicts']) == 1 and theirs.result['conflicts'][0].startswith(
        'keys[1] (alpha-1): key %s carries scwkms-keyring:alpha, the tag of another keyring' % alpha_1['id'])


def test_keys_of_the_shared_tag_of_earlier_versions_are_another_keyring_s(emulator):
    legacy = client_for(emulator).create_key(name='old', algorithm='aes_256_gcm',
                                             tags=['managed-by:scwkms-keyring'], protected=False)
    emulator.clear_requests()
    result = run_module(args_for(emulator, [{'name': 'old'}], keyring='new', adopt=True))
    assert result.failed and legacy['id'] in result.result['conflicts'][0] and writes(emulator) == {}
    kept = run_module(args_for(emulator, [{'name': 'old'}], management_tag='managed-by:scwkms-keyring'))
    assert not kept.failed and kept.result['keyring'][0]['id'] == legacy['id']


def test_untagged_keys_are_adopted_only_when_asked(emulator):
    untagged = client_for(emulator).create_key(name='mine', algorithm='aes_256_gcm', tags=['team:x'],
                                               protected=False)
    emulator.clear_requests()
    refused = run_module(args_for(emulator, [{'name': 'fresh'}, {'name': 'mine'}]))
    assert refused.failed and writes(emulator) == {}
    assert refused.result['conflicts'] == [
        'keys[1] (mine): key %s has this name but not the management tag %s; set adopt: true '
        '(scwkms_keyring_adopt) to adopt it (the tag is added), or rename the key in the keyring'
        % (untagged['id'], TAG)]
    assert refused.result['msg'].startswith('1 declared key held by keys this keyring does not own, nothing was')
    adopted = run_module(args_for(emulator, [{'name': 'fresh'}, {'name': 'mine'}], adopt=True))
    assert not adopted.failed, adopted.result['msg']
    assert [row['actions'] for row in adopted.result['keyring']] == [['created'], ['updated']]
    assert adopted.result['keyring'][1]['id'] == untagged['id']
    assert adopted.result['keyring'][1]['tags'] == ['team:x', TAG]


def test_advancing_the_api_clock_makes_rotate_if_older_than_rotate(emulator):
    from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerClient
    if not hasattr(KeyManagerClient, 'server_now'):
        pytest.skip('the client does not read the API clock (server_now) yet')
    keys = [{'name': 'clock', 'rotate_if_older_than': '30d', 'protected': False}]
    assert run_module(args_for(emulator, keys)).result['keyring'][0]['actions'] == ['created']
    emulator.advance(29 * 86400)
    assert run_module(args_for(emulator, keys)).result['keyring'][0]['actions'] == []
    emulator.advance(2 * 86400)
    due = run_module(args_for(emulator, keys)).result
    assert due['keyring'][0]['actions'] == ['rotated'] and due['keyring'][0]['rotation_count'] == 2
    assert due['generated_at'][:10] == emulator.now()[:10]


def test_algorithm_choices_come_from_algorithms_and_are_documented_by_reference(emulator):
    import yaml
    from ansible_collections.scwkms.key_manager.plugins.module_utils._algorithms import ALGORITHMS
    from ansible_collections.scwkms.key_manager.plugins.module_utils._keyring import defaults_options, key_options
    assert key_options()['algorithm']['choices'] == defaults_options()['algorithm']['choices'] == list(ALGORITHMS)
    spec = scwkms_keyring.argument_spec()
    docs = yaml.safe_load(scwkms_keyring.DOCUMENTATION)['options']
    # validate-modules wants the argument spec and the documentation to agree: neither lists them.
    assert 'choices' not in spec['keys']['options']['algorithm'] and 'choices' not in docs['keys']['suboptions']['algorithm']
    assert 'options' not in spec['defaults'] and 'suboptions' not in docs['defaults']
    assert 'O(scwkms.key_manager.scwkms_key#module:algorithm)' in ' '.join(docs['keys']['suboptions']['algorithm']['description'])
    for keys, defaults in (([{'name': 'a', 'algorithm': 'des'}], None), ([{'name': 'a'}], {'algorithm': 'des'})):
        result = run_module(args_for(emulator, keys, **({'defaults': defaults} if defaults else {})))
        assert result.failed and 'value of algorithm must be one of: %s, got: des' % ', '.join(ALGORITHMS) in result.result['errors'][0]


def test_defaults_are_typed_as_the_key_options(emulator):
    result = run_module(args_for(emulator, [{'name': 'typed'}], defaults={'protected': 'no', 'tags': 'a,b'}))
    assert not result.failed, result.result
    key, = [entry for entry in result.result['keyring'] if entry['name'] == 'typed']
    assert key['protected'] is False and key['tags'] == ['a', 'b', TAG], key
