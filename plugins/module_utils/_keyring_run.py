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

from ._apply import ACTIONS, Progress, apply_plan, predict, summarize
from ._client import KeyManagerClient, KeyManagerError
from ._credentials import require_project
from ._durations import format_timestamp, utcnow
from ._keyref import validate_region
from ._keyring import (
    KeyringSpecError, claim, conflict_result, failed_result, failure_message, key_diff, missing_names, plan_keyring,
    report_row, restorable, row_label, spec_for, summary_message, totals, validated,
)
from ._keyspec import Action, SpecError
from ._locator import read_while_racing
from ._lock import keys_lock

Outcome = namedtuple('Outcome', ['final', 'done', 'error'])
"""After one key's plan: the key as last known, the action names done, and the error that stopped it."""

# Client methods that return the key they changed: the last one seen is what a failed key reports.
KEY_METHODS = frozenset(kind.method for kind in ACTIONS.values())


class LastKeyClient(object):
    """A client for apply_plan that remembers the last key a write returned, so a key that fails
    half-way reports the key as it was left."""

    def __init__(self, client):
        self._client = client
        self.last = None

    def __getattr__(self, name):
        target = getattr(self._client, name)
        if name not in KEY_METHODS:
            return target

        def call(*args, **kwargs):
            result = target(*args, **kwargs)
            if isinstance(result, dict):
                self.last = result
            return result
        return call


# -- reading ------------------------------------------------------------------------------------

Holdings = namedtuple('Holdings', ['owned', 'adopted', 'scheduled', 'conflicts'])
"""What the list requests found: keys owned, untagged keys adopted, keys to restore, and conflicts
(declared names held by another keyring's key, or by an untagged key without adopt)."""


def read_keyring(client, entries, project_id, region, management_tag, page_size, adopt=False):
    """Holdings, with as few list requests as the keyring allows; see the module doc."""
    def listed(**filters):
        return client.list_keys(project_id=project_id, region=region, page_size=page_size, **filters)

    if management_tag:
        # The server filters by tag; keep exact carriers only, whatever its matching rules are.
        mine = [key for key in listed(tags=[management_tag]) if management_tag in (key.get('tags') or [])]
    else:
        mine = listed()
    owned, adopted, conflicts = claim(mine, entries, management_tag, adopt)
    missing = set(missing_names(entries, owned)) - set(name for name, _message in conflicts)
    if missing and management_tag:
        known = set(key['id'] for key in mine)
        others = [key for key in listed() if key.get('name') in missing and key['id'] not in known]
        _owned, adopted, more = claim(others, entries, management_tag, adopt)
        conflicts.extend(more)
        missing -= set(key.get('name') for key in others)
    scheduled = []
    if missing:
        scheduled = [key for key in listed(scheduled_for_deletion=True)
                     if key.get('name') in missing and restorable(key, management_tag, adopt)]
    return Holdings(owned, adopted, scheduled, conflicts)


# -- writing ------------------------------------------------------------------------------------

def run_plan(client, plan, region, project_id, now):
    """Execute one key's plan; never raises (the error is returned with what was done before it)."""
    if plan.error:
        return Outcome(plan.current, [], plan.error)
    if not plan.actions:
        return Outcome(plan.current, [], None)
    recorder = LastKeyClient(client)
    progress = Progress()
    try:
        final = apply_plan(recorder, plan.current, plan.actions, spec_for(plan.entry, plan.current), region,
                           project_id=project_id, known_ids=plan.known_ids, now=now, progress=progress)
        return Outcome(final, progress.done, None)
    except KeyManagerError as exc:
        error = 'Key Manager API call failed: %s' % exc
    except SpecError as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - one key's bug must not lose the other keys' results
        error = 'unexpected error: %s: %s\n%s' % (type(exc).__name__, exc, traceback.format_exc())
    last = recorder.last or plan.current
    if progress.done and progress.done[-1] == 'delete':
        last = predict(last, [Action('delete', {})], now)
    return Outcome(last, progress.done, error)


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

def server_now(client):
    """The API's notion of now (ages and rotate_if_older_than compare with the API's timestamps)."""
    now = getattr(client, 'server_now', None)
    return now() if now is not None else utcnow()


def keyring_task(params, structural, connect, check_mode=False, want_diff=False):
    """The module's result: a spec error, a conflict or a failed key is in result['errors'] (the module
    then fails); connect() -> (settings, client) is called only once the spec is valid."""
    try:
        entries, management_tag = validated(params, structural)
    except KeyringSpecError as exc:
        return dict(failed_result(str(exc), exc.errors), management_tag=None, check_mode=check_mode)
    settings, client = connect()
    project = require_project(settings)
    region = validate_region(settings.region)
    result = converge(
        client, lambda: KeyManagerClient(settings), entries, project, region, management_tag=management_tag,
        adopt=params['adopt'], prune=params['prune'], prune_protected=params['prune_protected'],
        parallelism=params['parallelism'], page_size=params['page_size'], check_mode=check_mode, want_diff=want_diff)
    result.update(region=region, project_id=project, management_tag=management_tag, check_mode=check_mode)
    if result['errors']:
        result['msg'] = failure_message(result)
    return result


def converge(client, client_factory, entries, project_id, region, **options):
    """List once, plan every key, make the writes (not in check mode); the module's result fields.
    options: management_tag, adopt, prune, prune_protected, parallelism, page_size, check_mode,
    want_diff, lock_dir (the host lock directory; None for the default one)."""
    return KeyringRun(client, client_factory, entries, project_id, region, **options).converge()


class KeyringRun(object):
    """One convergence of a keyring.

    Outside check mode, the declared names are locked on this host (_lock.keys_lock, an flock per
    name, no request) across list, plan and writes, so forks and playbooks converging the same
    keyring wait for each other instead of each creating the key; apply_plan settles every create
    (_locator.settle_created) against other controllers before the lock is released."""

    def __init__(self, client, client_factory, entries, project_id, region, management_tag=None, adopt=False,
                 prune=False, prune_protected=False, parallelism=8, page_size=100, check_mode=False,
                 want_diff=False, lock_dir=None):
        self.client, self.client_factory, self.entries = client, client_factory, entries
        self.project_id, self.region, self.management_tag, self.adopt = project_id, region, management_tag, adopt
        self.prune, self.prune_protected, self.parallelism, self.page_size = (
            prune, prune_protected, parallelism, page_size)
        self.check_mode, self.want_diff, self.lock_dir = check_mode, want_diff, lock_dir

    def converge(self):
        if self.check_mode:
            return self.finish(*self.read_and_plan())
        names = [entry.name for entry in self.entries if entry.spec['state'] == 'present']
        settings = getattr(self.client, 'settings', None)
        with keys_lock(settings, self.region, self.project_id, names, directory=self.lock_dir):
            return self.finish(*self.read_and_plan())

    def read_and_plan(self):
        held = read_while_racing(
            self.client, lambda: read_keyring(self.client, self.entries, self.project_id, self.region,
                                              self.management_tag, self.page_size, self.adopt),
            lambda holdings: doubled(self.entries, holdings))
        now = server_now(self.client)
        if held.conflicts:
            return held, now, []
        return held, now, plan_keyring(self.entries, held, now, prune=self.prune, prune_protected=self.prune_protected)

    def finish(self, held, now, plans):
        if held.conflicts:
            return dict(conflict_result(held.conflicts), generated_at=format_timestamp(now.replace(microsecond=0)))
        if self.check_mode:
            outcomes = predicted(plans, now)
        else:
            outcomes = execute(plans, self.client_factory, self.region, self.project_id, self.parallelism, now)
        result = results(plans, outcomes, now, self.region, self.check_mode, self.want_diff)
        result['listed'] = {'owned': len(held.owned), 'adopted': len(held.adopted),
                            'scheduled_for_deletion': len(held.scheduled)}
        return result


def doubled(entries, held):
    """Whether a declared name has several live keys the keyring could mean."""
    declared = set(entry.name for entry in entries)
    names = [key.get('name') for key in held.owned + held.adopted if key.get('name') in declared]
    return len(names) != len(set(names))


def results(plans, outcomes, now, region, check_mode, want_diff):
    rows, names, diffs, errors = [], [], [], []
    for plan, outcome in zip(plans, outcomes):
        status = 'failed' if outcome.error else ('changed' if outcome.done else 'unchanged')
        row = report_row(plan, outcome.final, summarize(outcome.done), status, outcome.error, now, region)
        rows.append(row)
        names.append(outcome.done)
        if outcome.error:
            errors.append('%s: %s' % (row_label(row), outcome.error))
        if want_diff and outcome.done:
            diffs.append(key_diff(plan, plan.current, outcome.final))
    counts = totals(rows, names)
    result = {'changed': any(names), 'keyring': rows, 'totals': counts, 'errors': errors, 'conflicts': [],
              'msg': summary_message(counts, check_mode), 'generated_at': format_timestamp(now.replace(microsecond=0))}
    if want_diff:
        result['diff'] = diffs
    return result
