# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The keyring, run: one paginated list for the whole keyring, then only the writes needed. Private.

Reads (see read_keyring): the live keys carrying the management tag (every live key when there is
none); only when a declared key is missing from them, the project's other live keys (a declared key
without the tag is adopted, not duplicated) and then the keys scheduled for deletion (a declared key
scheduled for deletion is restored, not duplicated). An unchanged keyring costs ceil(N / page_size)
list requests and nothing else.

Writes: each key's plan runs with _keys.apply_plan, keys in parallel on a bounded pool of threads,
each thread with its own client (its own requests.Session: a Session is not documented as
thread-safe, and its connection pool would be too small to share). A key's failure is recorded with
what was done before it; the other keys go on.
"""

from __future__ import annotations

import threading
import traceback
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

from ._client import KeyManagerError
from ._keyring import (
    action_words, group_by_name, key_diff, missing_names, plan_keyring, report_row, spec_for, summary_message, totals,
)
from ._keys import apply_plan
from ._keyspec import Action, SpecError, predict

Outcome = namedtuple('Outcome', ['final', 'done', 'error'])
"""After one key's plan: the key as last known, the action names done, and the error that stopped it."""

# Client method -> the action name it performs (the names _keyspec plans with).
WRITE_METHODS = {'create_key': 'create', 'update_key': 'update', 'rotate_key': 'rotate', 'enable_key': 'enable',
                 'disable_key': 'disable', 'protect_key': 'protect', 'unprotect_key': 'unprotect',
                 'restore_key': 'restore', 'delete_key': 'delete', 'import_key_material': 'import_key_material'}


class RecordingClient(object):
    """A client for apply_plan that remembers each write that returned and the last key received,
    so a key that fails half-way reports what was done (after a restore apply_plan plans again, so
    the calls made may differ from the plan)."""

    def __init__(self, client):
        self._client = client
        self.done = []
        self.last = None

    def __getattr__(self, name):
        target = getattr(self._client, name)
        action = WRITE_METHODS.get(name)
        if action is None:
            return target

        def call(*args, **kwargs):
            result = target(*args, **kwargs)
            self.done.append(action)
            if isinstance(result, dict):
                self.last = result
            return result
        return call


# -- reading ------------------------------------------------------------------------------------

def read_keyring(client, entries, project_id, region, management_tag, page_size):
    """(owned, adopted, scheduled) with as few list requests as the keyring allows; see the module doc."""
    if management_tag:
        listed = client.list_keys(tags=[management_tag], project_id=project_id, region=region, page_size=page_size)
        # The server filters by tag; keep exact carriers only, whatever its matching rules are.
        owned = [key for key in listed if management_tag in (key.get('tags') or [])]
    else:
        owned = client.list_keys(project_id=project_id, region=region, page_size=page_size)
    missing = set(missing_names(entries, owned))
    adopted = []
    if missing and management_tag:
        owned_ids = set(key['id'] for key in owned)
        adopted = [key for key in client.list_keys(project_id=project_id, region=region, page_size=page_size)
                   if key.get('name') in missing and key['id'] not in owned_ids]
        missing -= set(group_by_name(adopted))
    scheduled = []
    if missing:
        scheduled = [key for key in client.list_keys(project_id=project_id, region=region, page_size=page_size,
                                                     scheduled_for_deletion=True)
                     if key.get('name') in missing]
    return owned, adopted, scheduled


# -- writing ------------------------------------------------------------------------------------

def run_plan(client, plan, region, project_id, now):
    """Execute one key's plan; never raises (the error is returned with what was done before it)."""
    if plan.error:
        return Outcome(plan.current, [], plan.error)
    if not plan.actions:
        return Outcome(plan.current, [], None)
    recorder = RecordingClient(client)
    try:
        final = apply_plan(recorder, plan.current, plan.actions, spec_for(plan.entry, plan.current), region,
                           project_id=project_id, known_ids=plan.known_ids, now=now)
        return Outcome(final, recorder.done, None)
    except KeyManagerError as exc:
        error = 'Key Manager API call failed: %s' % exc
    except SpecError as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - one key's bug must not lose the other keys' results
        error = 'unexpected error: %s: %s\n%s' % (type(exc).__name__, exc, traceback.format_exc())
    last = recorder.last or plan.current
    if recorder.done and recorder.done[-1] == 'delete':
        last = predict(last, [Action('delete', {})], now)
    return Outcome(last, recorder.done, error)


def execute(plans, client_factory, region, project_id, parallelism, now):
    """Outcomes of every plan, in order. Keys with writes run on at most `parallelism` threads, each
    with a client of its own made by client_factory(); unchanged and failed plans cost nothing."""
    outcomes = [None] * len(plans)
    work = []
    for position, plan in enumerate(plans):
        if plan.error or not plan.actions:
            outcomes[position] = run_plan(None, plan, region, project_id, now)
        else:
            work.append(position)
    if not work:
        return outcomes
    workers = max(1, min(parallelism, len(work)))
    local = threading.local()
    made = []
    lock = threading.Lock()

    def client_of_thread():
        client = getattr(local, 'client', None)
        if client is None:
            client = local.client = client_factory()
            with lock:
                made.append(client)
        return client

    def task(position):
        return position, run_plan(client_of_thread(), plans[position], region, project_id, now)

    try:
        if workers == 1:
            for position in work:
                outcomes[position] = task(position)[1]
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for position, outcome in pool.map(task, work):
                    outcomes[position] = outcome
    finally:
        for client in made:
            session = getattr(client, 'session', None)
            if session is not None and hasattr(session, 'close'):
                session.close()
    return outcomes


def predicted(plans, now):
    """Check mode: every key as it would be, without a write."""
    outcomes = []
    for plan in plans:
        if plan.error:
            outcomes.append(Outcome(plan.current, [], plan.error))
        elif plan.actions:
            outcomes.append(Outcome(predict(plan.current, plan.actions, now), [action.name for action in plan.actions],
                                    None))
        else:
            outcomes.append(Outcome(plan.current, [], None))
    return outcomes


# -- the whole run ------------------------------------------------------------------------------

def converge(client, client_factory, entries, project_id, region, now, management_tag=None, prune=False,
             prune_protected=False, parallelism=8, page_size=100, check_mode=False, want_diff=False):
    """List once, plan every key, make the writes (not in check mode); the module's result fields."""
    owned, adopted, scheduled = read_keyring(client, entries, project_id, region, management_tag, page_size)
    plans = plan_keyring(entries, owned, adopted, scheduled, now, prune=prune, prune_protected=prune_protected)
    if check_mode:
        outcomes = predicted(plans, now)
    else:
        outcomes = execute(plans, client_factory, region, project_id, parallelism, now)
    rows, names, diffs, errors = [], [], [], []
    for plan, outcome in zip(plans, outcomes):
        if outcome.error:
            status = 'failed'
        else:
            status = 'changed' if outcome.done else 'unchanged'
        final = outcome.final
        row = report_row(plan, final, action_words(outcome.done), status, outcome.error, now, region)
        rows.append(row)
        names.append(outcome.done)
        if outcome.error:
            errors.append('%s: %s' % (_label(row), outcome.error))
        if want_diff and outcome.done:
            diffs.append(key_diff(plan, plan.current, final))
    counts = totals(rows, names)
    result = {
        'changed': any(names),
        'keyring': rows,
        'totals': counts,
        'errors': errors,
        'msg': summary_message(counts, check_mode),
        'listed': {'owned': len(owned), 'adopted': len(adopted), 'scheduled_for_deletion': len(scheduled)},
    }
    if want_diff:
        result['diff'] = diffs
    return result


def _label(row):
    if row['declared']:
        return 'keys[%d] (%s)' % (row['index'], row['name'])
    return 'pruned key %s (%s)' % (row['name'], row['id'])
