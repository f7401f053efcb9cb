# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Executing and predicting a plan of actions (from _keyspec.py). Private to this collection.

ACTIONS is the one table of what an action is: the client call that performs it, the word a result
reports, the total a keyring counts it in, and how check mode predicts its effect.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import OrderedDict, namedtuple

from ._algorithms import usage_of
from ._client import KeyManagerError
from ._durations import format_timestamp, utcnow
from ._keyspec import merged_tags, plan_changes, plan_existing, restored
from ._locator import POLL_SECONDS, UNIQUE_WAIT_SECONDS, retry_deadline, settle_created

ActionKind = namedtuple('ActionKind', ['method', 'word', 'total', 'call', 'predict'])
"""method: the client method it calls; word: for a result's actions; total: a keyring's counter;
call(client, key, params, context) -> key; predict(key, params, now, stamp) -> key."""

Context = namedtuple('Context', ['region', 'project_id', 'key_material', 'salt', 'known_ids'])


class Progress(object):
    """What apply_plan did so far, kept when it fails half-way: action names done, in order, and the ids
    of keys this task created then scheduled for deletion because another task won the name."""

    def __init__(self):
        self.done = []
        self.discarded = []


# Concurrent PATCHes of tags from other controllers can drop a tag this task added; re-read this often.
TAG_ATTEMPTS = 5


# -- calls -----------------------------------------------------------------------------------------

def _create(client, _key, params, ctx):
    return client.create_key(project_id=ctx.project_id, region=ctx.region, known_ids=ctx.known_ids, **params)


def _update(client, key, params, ctx):
    return client.update_key(key['id'], region=ctx.region, **params)


def _import(client, key, _params, ctx):
    return client.import_key_material(key['id'], ctx.key_material, ctx.salt, region=ctx.region, current=key)


def _rotate(client, key, _params, ctx):
    return client.rotate_key(key['id'], region=ctx.region, current=key)


def _delete(client, key, _params, ctx):
    client.delete_key(key['id'], region=ctx.region)
    return key  # 204, no body: the predictor gives the documented state


def _simple(method):
    def call(client, key, _params, ctx):
        return getattr(client, method)(key['id'], region=ctx.region)
    return call


# -- predictors ------------------------------------------------------------------------------------

def _predict_create(_key, params, now, stamp):
    external = params['origin'] == 'external'
    return {
        'id': None, 'name': params['name'], 'usage': {usage_of(params['algorithm']): params['algorithm']},
        'state': 'pending_key_material' if external else 'enabled', 'rotation_count': 0 if external else 1,
        'created_at': stamp, 'updated_at': stamp, 'protected': params['protected'], 'locked': False,
        'description': params['description'], 'tags': list(params['tags']),
        'rotated_at': None if external else stamp, 'rotation_policy': _predict_policy(params['rotation_policy'], now),
        'origin': params['origin'], 'deletion_requested_at': None,
    }


def _predict_policy(policy, now):
    if policy is None:
        return None
    next_at = policy.get('next_rotation_at') or format_timestamp(now + datetime.timedelta(seconds=policy['rotation_period']))
    return {'rotation_period': '%ds' % policy['rotation_period'], 'next_rotation_at': next_at}


def _predict_update(key, params, now, _stamp):
    key = dict(key)
    for field in ('name', 'description', 'tags'):
        if field in params:
            key[field] = params[field]
    if 'rotation_policy' in params:
        key['rotation_policy'] = _predict_policy(params['rotation_policy'], now)
    return key


def _set(**fields):
    def apply(key, _params, _now, _stamp):
        return dict(key, **fields)
    return apply


def _predict_rotation(key, _params, _now, stamp):
    state = 'enabled' if key.get('state') == 'pending_key_material' else key.get('state')
    return dict(key, rotation_count=(key.get('rotation_count') or 0) + 1, rotated_at=stamp, state=state)


def _predict_delete(key, _params, _now, stamp):
    return dict(key, state='scheduled_for_deletion', deletion_requested_at=stamp)


ACTIONS = OrderedDict([
    ('create', ActionKind('create_key', 'created', 'created', _create, _predict_create)),
    # The API does not document the state a restored key comes back in: check mode predicts enabled,
    # a real run plans the rest again from the key the restore call returns.
    ('restore', ActionKind('restore_key', 'restored', 'restored', _simple('restore_key'),
                           lambda key, _params, _now, _stamp: restored(key))),
    ('update', ActionKind('update_key', 'updated', 'updated', _update, _predict_update)),
    ('enable', ActionKind('enable_key', 'enabled', 'enabled', _simple('enable_key'), _set(state='enabled'))),
    ('disable', ActionKind('disable_key', 'disabled', 'disabled', _simple('disable_key'), _set(state='disabled'))),
    ('import_key_material', ActionKind('import_key_material', 'imported key material', 'rotated', _import,
                                       _predict_rotation)),
    ('rotate', ActionKind('rotate_key', 'rotated', 'rotated', _rotate, _predict_rotation)),
    ('protect', ActionKind('protect_key', 'protected', 'protected', _simple('protect_key'), _set(protected=True))),
    ('unprotect', ActionKind('unprotect_key', 'unprotected', 'unprotected', _simple('unprotect_key'),
                             _set(protected=False))),
    ('delete', ActionKind('delete_key', 'scheduled for deletion', 'scheduled_for_deletion', _delete, _predict_delete)),
])


def summarize(names):
    """Action names (or Actions) -> the words a result reports: ['created', 'rotated', ...]."""
    return [ACTIONS[getattr(name, 'name', name)].word for name in names]


def predict(current, actions, now):
    """The key as it will be after `actions`, for check mode and diff mode."""
    stamp = format_timestamp(now)
    key = dict(current) if current else {}
    for action in actions:
        key = ACTIONS[action.name].predict(key, action.params, now, stamp)
        if action.name != 'create':
            key['updated_at'] = stamp
    return key


def server_now(client):
    """The API's notion of now (from its Date header) when the client knows it, else this host's clock:
    rotation ages compare it with the API's own timestamps, so host clock skew does not count."""
    now = getattr(client, 'server_now', None)
    return now() if now is not None else utcnow()


# -- execution -------------------------------------------------------------------------------------

def apply_plan(client, key, actions, spec, region, project_id=None, key_material=None, salt=None, known_ids=(),
               now=None, progress=None):
    """Run planned actions in order, each with its own call; returns the key as the API last sent it.

    After a restore, and after losing a create race (settle_created), the rest is planned again from
    the key the API returned. Added tags (purge_tags false) are read back and merged again until present."""
    now = now or utcnow()
    progress = progress if progress is not None else Progress()
    ctx = Context(region, project_id, key_material, salt, tuple(known_ids))
    pending = list(actions)
    while pending:
        action = pending.pop(0)
        key = ACTIONS[action.name].call(client, key, action.params, ctx)
        progress.done.append(action.name)
        if action.name == 'create':
            key, pending = _settle(client, key, spec, ctx, now, progress, pending)
        elif action.name == 'restore':
            pending = plan_existing(key, spec, now)
        elif action.name == 'delete':
            key = predict(key, [action], now)
        elif action.name == 'update' and 'tags' in action.params and not spec['purge_tags']:
            key = keep_tags(client, key, spec['tags'], region)
    return key


def _settle(client, key, spec, ctx, now, progress, pending):
    deadline = time.monotonic() + retry_deadline(client)
    winner, lost = settle_created(client, key, spec['name'], ctx.project_id, ctx.region, deadline)
    if not lost and key['id'] in getattr(client, 'uncertain_ids', ()):
        # A lost create answer: most likely this task's own key, which nobody else imports into, but possibly
        # a racer's, whose task is applying its own plan to it: wait as long as a racer's twin takes to show up.
        fresh = _imported_by_its_creator(client, client.get_key(key['id'], ctx.region) or key, ctx.region,
                                         min(UNIQUE_WAIT_SECONDS, retry_deadline(client)))
        return fresh, plan_changes(fresh, spec, now)
    if not lost:
        return key, pending
    progress.done.remove('create')
    progress.discarded.append(key['id'])
    # Certainly a racer's key: its creator's task may still be settling its create and retrying behind slow
    # answers or IAM propagation, so wait as long as it may take (only a dead creator makes it that long).
    winner = _imported_by_its_creator(client, winner, ctx.region, retry_deadline(client))
    return winner, plan_changes(winner, spec, now)


def _imported_by_its_creator(client, winner, region, wait):
    """The winner, once its creator imported its key material (waiting at most `wait` seconds): importing
    into it here as well would be a second import, which rotates the key. When nobody did, this task
    imports, after a random pause and a last read, so that two tasks in that position rarely both do."""
    deadline = time.monotonic() + wait
    while winner.get('state') == 'pending_key_material' and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        winner = client.get_key(winner['id'], region) or winner
    if winner.get('state') == 'pending_key_material':
        time.sleep(random.uniform(0, 8 * POLL_SECONDS))
        winner = client.get_key(winner['id'], region) or winner
    return winner


def keep_tags(client, key, tags, region):
    """The key once every tag in tags is on it: another writer's PATCH may have replaced the list."""
    for _attempt in range(TAG_ATTEMPTS):
        key = client.get_key(key['id'], region) or key
        current = list(key.get('tags') or [])
        merged = merged_tags(current, tags, False)
        if merged == current:
            return key
        key = client.update_key(key['id'], tags=merged, region=region)
    raise KeyManagerError('tags %s were removed again by concurrent updates %d times; run the task again'
                          % (', '.join(tags), TAG_ATTEMPTS), 'PATCH', '/keys/%s' % key['id'])
