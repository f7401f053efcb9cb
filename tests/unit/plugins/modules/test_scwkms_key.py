# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scwkms_key end to end against the in-process emulator: bad input, smaller defects, and races between
forks (processes sharing the host lock) and between controllers (each with its own lock directory)."""

from __future__ import annotations

import base64
import datetime
import multiprocessing
import tempfile
import uuid

import pytest

from ansible.module_utils import basic

from ansible_collections.scwkms.key_manager.plugins.module_utils import _apply
from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerClient, KeyManagerError
from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_key
from ansible_collections.scwkms.key_manager.tests.unit.plugins.modules.module_runner import run_module
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import (
    KEY_ID, api_calls, client_for, connection, task,
)

pytest.importorskip('scwkms_emulator')

ID_FORMS = ('a key UUID, scwkms:key-id=<uuid>;region=<region> (step-ca) or scw-kms://regions/<region>/keys/<uuid> '
            '(Tink)')


def key_task(emulator, check_mode=False, diff=False, **args):
    args.setdefault('max_retries', 3)
    return task(scwkms_key, emulator, check_mode=check_mode, diff=diff, **args)


def live(emulator, name):
    return client_for(emulator).list_keys(name=name)


# -- bad input fails before any request ---------------------------------------------------------------

@pytest.mark.parametrize('key_id, hint', [(KEY_ID[:-1], False), ('{%s}' % KEY_ID, False), ('billing-data', True)])
@pytest.mark.parametrize('state', ['present', 'absent'])
def test_malformed_key_id_fails_before_any_request(km_emulator, key_id, hint, state):
    result, failed = key_task(km_emulator, key_id=key_id, state=state, enabled=False, protected=False)
    assert failed and not result['changed']
    assert result['msg'] == "key_id: %r is not a key id; use %s%s" % (
        key_id, ID_FORMS, '; to name a key by its name, use name' if hint else '')
    assert api_calls(km_emulator) == {}


@pytest.mark.parametrize('name', [' billing', 'billing ', 'billing\n'])
def test_padded_name_fails_before_any_request(km_emulator, name):
    result, failed = key_task(km_emulator, name=name)
    assert failed and 'name: %r has leading or trailing whitespace' % name in result['msg']
    assert api_calls(km_emulator) == {}


def test_huge_duration_names_the_option(km_emulator):
    result, failed = key_task(km_emulator, name='k', rotation_policy={'rotation_period': '9' * 400 + 'd'})
    assert failed and result['msg'].startswith('rotation_policy.rotation_period: ')
    assert 'too long a duration' in result['msg'] and api_calls(km_emulator) == {}


def test_rotation_policy_on_an_asymmetric_key_is_refused_up_front(km_emulator):
    result, failed = key_task(km_emulator, name='signer', algorithm='ec_p256_sha256', rotation_policy={'rotation_period': '30d'})
    assert failed and result['msg'] == ('rotation_policy: a new ec_p256_sha256 key is asymmetric_signing; only symmetric '
                                        'keys rotate, so it cannot have a rotation policy')
    key_task(km_emulator, name='signer', algorithm='ec_p256_sha256', protected=False)
    km_emulator.clear_requests()
    result, failed = key_task(km_emulator, name='signer', rotation_policy={'rotation_period': '30d'})
    assert failed and 'only symmetric keys rotate' in result['msg']
    assert api_calls(km_emulator) == {'GET /keys': 1}


# -- lifecycle -----------------------------------------------------------------------------------------

def test_create_then_nothing_to_do(km_emulator):
    result, failed = key_task(km_emulator, name='life', tags=['a'], protected=False)
    assert not failed and result['changed'] and result['actions'] == ['created']
    assert result['kms_uri'] == 'scwkms:key-id=%s;region=fr-par' % result['key']['id']
    km_emulator.clear_requests()
    again, failed = key_task(km_emulator, name='life', tags=['a'], protected=False)
    assert not failed and not again['changed'] and again['actions'] == []
    assert api_calls(km_emulator) == {'GET /keys': 1}
    by_id, _failed = key_task(km_emulator, key_id=result['kms_uri'], enabled=False, check_mode=True, diff=True)
    assert by_id['actions'] == ['disabled'] and by_id['diff']['after']['state'] == 'disabled'
    assert by_id['key']['name'] == 'life'


def test_restore_reports_the_enable_it_sent(km_emulator):
    created, _failed = key_task(km_emulator, name='back', protected=False, enabled=False)
    key_task(km_emulator, name='back', state='absent')
    restored, failed = key_task(km_emulator, name='back', enabled=True)
    assert not failed and restored['key']['id'] == created['key']['id'] and restored['key']['state'] == 'enabled'
    assert restored['actions'] == ['restored', 'enabled']
    assert km_emulator.counts()['POST /keys/{key_id}/enable'] == 1


def test_absent_with_a_missing_id_is_no_change(km_emulator):
    result, failed = key_task(km_emulator, key_id=str(uuid.uuid4()), state='absent')
    assert not failed and not result['changed'] and 'key' not in result


def test_rotate_if_older_than_uses_the_api_clock(km_emulator, monkeypatch):
    created, _failed = key_task(km_emulator, name='clock', protected=False)
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=31)
    monkeypatch.setattr(KeyManagerClient, 'server_now', lambda self: later, raising=False)
    result, failed = key_task(km_emulator, name='clock', rotate_if_older_than='30d')
    assert not failed and result['actions'] == ['rotated']
    assert result['key']['rotation_count'] == created['key']['rotation_count'] + 1


# -- races -----------------------------------------------------------------------------------------------

def _child(queue, barrier, lock_base, args):
    tempfile.tempdir = lock_base  # the lock directory lives under the temp dir: one per "controller"
    barrier.wait(30)  # every fork is ready before any starts, however slowly they were started
    warnings = []
    # Where warnings go depends on what this process imported before (controller or not): catch them here.
    basic.AnsibleModule.warn = lambda _module, message: warnings.append(message)
    result, failed = run_module(scwkms_key.main, args)
    result['warnings'] = warnings
    queue.put((result, failed))


def race(emulator, tasks, lock_bases):
    """Run each task's args in its own forked process at once, as Ansible forks do; [(result, failed)]."""
    context = multiprocessing.get_context('fork')
    queue, barrier = context.Queue(), context.Barrier(len(tasks))
    children = [context.Process(target=_child, args=(queue, barrier, base, connection(emulator, max_retries=3, **args)))
                for args, base in zip(tasks, lock_bases)]
    for child in children:
        child.start()
    outcomes = [queue.get(timeout=120) for _child_process in children]
    for child in children:
        child.join(30)
    return outcomes


def test_ten_forks_create_one_key(km_emulator, tmp_path):
    km_emulator.set_faults([{'type': 'latency', 'ms': 300, 'route': 'POST /keys'}])
    outcomes = race(km_emulator, [{'name': 'one', 'protected': False}] * 10, [str(tmp_path)] * 10)
    assert [failed for _result, failed in outcomes] == [False] * 10
    assert len(live(km_emulator, 'one')) == 1 and km_emulator.counts()['POST /keys'] == 1
    assert sorted(result['changed'] for result, _failed in outcomes) == [False] * 9 + [True]


def test_two_controllers_settle_on_one_key(km_emulator, tmp_path):
    # Long enough for both to list the name before either create is applied, even on a busy machine.
    km_emulator.set_faults([{'type': 'latency', 'ms': 1000, 'route': 'POST /keys'}])
    bases = [str(tmp_path / 'controller-a'), str(tmp_path / 'controller-b')]
    for base in bases:
        (tmp_path / base).mkdir()
    outcomes = race(km_emulator, [{'name': 'shared', 'description': 'd'}] * 2, bases)
    assert [failed for _result, failed in outcomes] == [False, False]
    assert km_emulator.counts()['POST /keys'] == 2  # no shared lock: both created
    (winner,) = live(km_emulator, 'shared')
    assert [result['key']['id'] for result, _failed in outcomes] == [winner['id']] * 2
    losers = [result for result, _failed in outcomes if result.get('warnings')]
    assert len(losers) == 1 and 'is scheduled for deletion' in losers[0]['warnings'][0]
    scheduled = client_for(km_emulator).list_keys(name='shared', scheduled_for_deletion=True)
    assert len(scheduled) == 1 and scheduled[0]['id'] != winner['id']


def test_ten_forks_add_ten_tags(km_emulator, tmp_path):
    key_task(km_emulator, name='tags', tags=['base'], protected=False)
    km_emulator.set_faults([{'type': 'latency', 'ms': 100, 'route': 'PATCH /keys/{key_id}'}])
    tasks = [{'name': 'tags', 'tags': ['t%d' % number], 'purge_tags': False} for number in range(10)]
    outcomes = race(km_emulator, tasks, [str(tmp_path)] * 10)
    assert [failed for _result, failed in outcomes] == [False] * 10
    (key,) = live(km_emulator, 'tags')
    assert sorted(key['tags']) == sorted(['base'] + ['t%d' % number for number in range(10)])


def test_ten_forks_rotate_once(km_emulator, tmp_path):
    now = datetime.datetime.now(datetime.timezone.utc)
    km_emulator.set_now((now - datetime.timedelta(days=31)).strftime('%Y-%m-%dT%H:%M:%SZ'))
    created, _failed = key_task(km_emulator, name='rotor', protected=False)
    km_emulator.set_now(now.strftime('%Y-%m-%dT%H:%M:%SZ'))
    km_emulator.set_faults([{'type': 'latency', 'ms': 100, 'route': 'POST /keys/{key_id}/rotate'}])
    outcomes = race(km_emulator, [{'name': 'rotor', 'rotate_if_older_than': '30d'}] * 10, [str(tmp_path)] * 10)
    assert [failed for _result, failed in outcomes] == [False] * 10
    assert live(km_emulator, 'rotor')[0]['rotation_count'] == created['key']['rotation_count'] + 1
    assert sorted(result['actions'] for result, _failed in outcomes) == [[]] * 9 + [['rotated']]


def two_controllers_bring_their_own_key(emulator, tmp_path, name, faults):
    """Two controllers (no shared lock) create one external key by name and import material into it."""
    emulator.set_faults(faults)
    bases = [str(tmp_path / 'controller-a'), str(tmp_path / 'controller-b')]
    for base in bases:
        (tmp_path / base).mkdir()
    material = base64.b64encode(b'0123456789abcdef0123456789abcdef').decode()
    task = {'name': name, 'origin': 'external', 'key_material': material, 'protected': False}
    outcomes = race(emulator, [task] * 2, bases)
    assert [failed for _result, failed in outcomes] == [False, False]
    (winner,) = live(emulator, name)
    assert winner['state'] == 'enabled' and winner['rotation_count'] == 1
    assert [result['key']['id'] for result, _failed in outcomes] == [winner['id']] * 2


def test_two_controllers_bringing_their_own_key_import_it_once(km_emulator, tmp_path):
    """The loser of a create race must not import into the winner while its creator does: a second
    import is a rotation."""
    two_controllers_bring_their_own_key(km_emulator, tmp_path, 'byok', [
        {'type': 'latency', 'ms': 1000, 'route': 'POST /keys'}])
    assert km_emulator.counts()['POST /keys/{key_id}/import-key-material'] == 1


def test_a_slow_creator_still_imports_alone(km_emulator, tmp_path, monkeypatch):
    """The loser of a create race waits for the winner's creator as long as that creator may still be working
    (its retry deadline), not the few seconds a task with a lost create answer waits: under load, a creator's
    import came after that shorter wait, and both imported (chaos-byok with rotation_count 2)."""
    monkeypatch.setattr(_apply, 'UNIQUE_WAIT_SECONDS', 0.3)
    two_controllers_bring_their_own_key(km_emulator, tmp_path, 'byok-slow', [
        {'type': 'latency', 'ms': 1000, 'route': 'POST /keys'},
        {'type': 'latency', 'ms': 3000, 'route': 'POST /keys/{key_id}/import-key-material'}])
    assert km_emulator.counts()['POST /keys/{key_id}/import-key-material'] == 1


def test_a_lost_create_answer_does_not_import_into_a_racers_key_a_second_time(km_emulator, tmp_path):
    """One controller's create answer is lost: its read-back settles on a key that may be the racer's,
    whose creator imports into it; importing again would rotate it."""
    two_controllers_bring_their_own_key(km_emulator, tmp_path, 'byok-lost', [
        {'type': 'latency', 'ms': 1000, 'route': 'POST /keys'},
        {'type': 'commit_then_error', 'route': 'POST /keys', 'status': 500, 'count': 1}])


def test_key_material_read_from_a_file_is_masked_in_the_result(km_emulator, tmp_path, monkeypatch):
    """Material from a file is no option value that no_log hides: an API error echoing it (as a 400 may,
    the client's own scrubbing aside) must still not reach the output."""
    material = b'file-material-0123456789abcdefgh'
    path = tmp_path / 'material.bin'
    path.write_bytes(material)

    def echoing(_client, *_args, **_kwargs):
        raise KeyManagerError('bad key_material %s (%s)' % (material.decode(), base64.b64encode(material).decode()),
                              'POST', '/keys/x/import-key-material', 400, 'invalid_arguments')
    monkeypatch.setattr(KeyManagerClient, 'import_key_material', echoing)
    result, failed = run_module(scwkms_key.main, connection(km_emulator, name='echo', origin='external',
                                                            key_material=str(path), protected=False), masked=True)
    assert failed and 'bad key_material' in result['msg']
    text = repr(result)
    assert material.decode() not in text and base64.b64encode(material).decode() not in text
