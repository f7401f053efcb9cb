# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one way to find a key, and to settle a race between tasks that created the same name. Private.

Every module and plugin locates keys here: a key id costs one GET (or none, with read=False), a
name one filtered list (two with include_scheduled when no live key has it).
"""

from __future__ import annotations

import time
from collections import namedtuple

from ._calls import CONSISTENCY_WINDOW
from ._credentials import require_project
from ._wire import winner_of
from ._keyref import KeyRef, KeyRefError, parse_key_id, parse_key_ref, validate_name, validate_region

Located = namedtuple('Located', ['key_id', 'region', 'project_id', 'key'])
"""key is None when it was not read or not found; key_id is None when a name matched no key."""

Target = namedtuple('Target', ['key_id', 'name', 'region', 'project_id'])
"""What a task names, checked, before any request: exactly one of key_id and name is set."""

# Several live keys with one name are usually racers, one of which deletes its copy right after
# settle_created(), or, when its create answer was lost, after watching the list for the whole
# consistency window; wait that long and a little more (within retry_deadline) before calling the
# name ambiguous.
UNIQUE_WAIT_SECONDS = CONSISTENCY_WINDOW + 5.0
POLL_SECONDS = 0.25
DEFAULT_RETRY_DEADLINE = 120.0


class KeyNotFound(KeyRefError):
    pass


class KeyNotUnique(KeyRefError):
    """Names are not unique in Key Manager: several keys carry the name asked for."""


def target(settings, reference=None, name=None, key_id=None, region=None, project_id=None):
    """Target for exactly one of reference (id or name), name, key_id: every check locate() makes
    before its request (references, region, project), so a caller can lock the key first."""
    parsed = _parse(reference, name, key_id)
    if parsed.region and region and parsed.region != region:
        raise KeyRefError('the key reference names region %s but region is %s' % (parsed.region, region))
    region = validate_region(parsed.region or region or settings.region)
    if parsed.key_id:
        return Target(parsed.key_id, None, region, project_id or settings.project_id)
    return Target(None, parsed.name, region, require_project(settings, project_id))


def locate(client, settings, reference=None, name=None, key_id=None, region=None, project_id=None,
           read=True, include_scheduled=False):
    """Located for exactly one of reference (id or name), name, key_id, checked before any request.

    A key given by id is returned in whatever state it is; include_scheduled only widens a name lookup."""
    aim = target(settings, reference, name, key_id, region, project_id)
    if aim.key_id:
        if not read:
            return Located(aim.key_id, aim.region, aim.project_id, None)
        key = client.get_key(aim.key_id, aim.region)
        if key is None:
            return Located(None, aim.region, aim.project_id, None)
        return Located(aim.key_id, aim.region, key.get('project_id') or aim.project_id, key)
    key = find_by_name(client, aim.name, aim.project_id, aim.region, include_scheduled)
    return Located(key['id'] if key else None, aim.region, aim.project_id, key)


def _parse(reference, name, key_id):
    given = [value is not None for value in (reference, name, key_id)]
    if sum(given) != 1:
        raise KeyRefError('give exactly one of a key reference, a name or a key id')
    if key_id is not None:
        return parse_key_id(key_id)
    if name is not None:
        return KeyRef(None, validate_name(name), None)
    return parse_key_ref(reference)


def require(located, what='key'):
    """located itself when a key was found; else KeyNotFound naming what was looked for."""
    if located.key_id is None:
        raise KeyNotFound('%s: no such key in project %s, region %s' % (what, located.project_id, located.region))
    return located


def find_by_name(client, name, project_id, region, include_scheduled=False):
    """The one live key with this exact name, else (include_scheduled) the one scheduled for deletion."""
    live = _live_named(client, name, project_id, region)
    if live:
        return live
    if not include_scheduled:
        return None
    scheduled = _exact(client.list_keys(name=name, project_id=project_id, region=region,
                                        scheduled_for_deletion=True), name)
    return _only(scheduled, name, 'keys scheduled for deletion') if scheduled else None


def _live_named(client, name, project_id, region):
    live = read_while_racing(client, lambda: _exact(client.list_keys(name=name, project_id=project_id, region=region),
                                                    name), lambda keys: len(keys) > 1)
    return _only(live, name, 'live keys') if live else None


def read_while_racing(client, read, racing):
    """read() again while racing(what it read) says two live keys share a name, for at most
    UNIQUE_WAIT_SECONDS (within retry_deadline): such twins are usually racers, one of which is about
    to delete its copy. The last read is returned either way."""
    deadline = time.monotonic() + min(UNIQUE_WAIT_SECONDS, retry_deadline(client))
    while True:
        result = read()
        if not racing(result) or time.monotonic() >= deadline:
            return result
        time.sleep(POLL_SECONDS)


def retry_deadline(client):
    """The client's retry_deadline in seconds (the default for a stand-in client without settings)."""
    return float(getattr(getattr(client, 'settings', None), 'retry_deadline', None) or DEFAULT_RETRY_DEADLINE)


def _exact(keys, name):
    # The API may match names partially: keep exact matches only.
    return [key for key in keys if key.get('name') == name]


def _only(keys, name, what):
    if len(keys) > 1:
        raise KeyNotUnique('name: %d %s are named %r (%s); Key Manager names are not unique, so give key_id '
                           'to say which one' % (len(keys), what, name, ', '.join(sorted(key['id'] for key in keys))))
    return keys[0]


# -- races between creators -------------------------------------------------------------------------

def _discarded_by_racer(client, created_key, name, project_id, region):
    scheduled = client.list_keys(name=name, project_id=project_id, region=region, scheduled_for_deletion=True)
    return any(key['id'] == created_key['id'] for key in scheduled)


def settle_created(client, created_key, name, project_id, region, deadline):
    """(winner_key, lost) after this task created created_key under name.

    Waits (until the time.monotonic() value deadline) for the key to show in a name list, then picks the
    winner among the live keys with that exact name. A loser unprotects and schedules the deletion of
    only the key it made, which holds no data yet; the caller then plans its task against the winner.
    A key still invisible at the deadline is kept (lost is False): nothing is deleted on a guess.

    [INF] Eventual consistency is taken to be that of a lagging replica: a list that shows a key also
    shows every key created before it. So once our key is visible, every earlier racer's is too, and
    all racers pick the same winner."""
    if not name:
        return created_key, False
    while True:
        live = _exact(client.list_keys(name=name, project_id=project_id, region=region), name)
        if any(key['id'] == created_key['id'] for key in live):
            break
        if live and _discarded_by_racer(client, created_key, name, project_id, region):
            # A racer whose create answer was lost could not tell its key from ours and scheduled the
            # deletion of every candidate but the winner (KeyManagerClient.create_key): ours lost.
            return winner_of(live), True
        if time.monotonic() >= deadline:
            return created_key, False
        time.sleep(POLL_SECONDS)
    winner = winner_of(live)
    if winner['id'] == created_key['id']:
        return created_key, False
    if created_key.get('protected'):
        client.unprotect_key(created_key['id'], region=region)
    client.delete_key(created_key['id'], region=region)
    return winner, True
