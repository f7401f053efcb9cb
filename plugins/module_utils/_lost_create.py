# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a create whose answer was lost settles on. Private; only KeyManagerClient.create_key uses it.

Nothing tells which new key with the name the lost call made (Key Manager has no idempotency token),
and a key made at the same moment by a racer on another controller looks the same. So the name list
is watched for the whole consistency window (our key may be hidden that long), then every racer's
rule applies (_wire.winner_of): the first-created new key wins, and the other new keys, ours among
them, all losers by the same rule, are scheduled for deletion. A key just created holds no data, so
this is safe. The winner goes into client.uncertain_ids: it may be a racer's, whose task is applying
its own plan to it (_apply.py takes care not to import key material into it a second time).
"""

from __future__ import annotations

# This is the client's own code, kept apart for size: it uses the client's clock, sleep and deadline.
# pylint: disable=protected-access

from ._calls import CONSISTENCY_WINDOW, NOT_APPLIED, POLL_CAP
from ._errors import KeyManagerError
from ._wire import winner_of


def settle_lost_create(client, name, project_id, region, known_ids):
    """The key to use after a lost create answer, or NOT_APPLIED to allow a second POST."""
    if not name:
        return NOT_APPLIED
    live = _watch(client, name, project_id, region)
    new = [key for key in live if key['id'] not in known_ids]
    if not new:
        return NOT_APPLIED
    winner = winner_of(new)
    for key in new:
        if key['id'] != winner['id']:
            _discard(client, key, region)
    client.uncertain_ids.add(winner['id'])
    return winner


def _watch(client, name, project_id, region):
    """The live keys with the name, as listed once the consistency window has passed."""
    until, polls = client._clock() + CONSISTENCY_WINDOW, 0
    while True:
        live = [key for key in client.list_keys(name=name, project_id=project_id, region=region)
                if key.get('name') == name]
        if client._clock() >= until:
            return live
        delay = min(client._jittered(polls, POLL_CAP), until - client._clock())
        if client._clock() + delay > client._deadline:
            raise KeyManagerError(f'the answer was lost and the list of keys named {name!r} could not be watched '
                                  'for the whole consistency window before retry_deadline; a new key may appear '
                                  'later, and the next run will find it', 'POST', client._path(region, '/keys'),
                                  error_type='outcome_unknown')
        client._sleep(delay)
        polls += 1


def _discard(client, key, region):
    """Schedule the deletion of a key that lost a create race, unless a racer already did."""
    try:
        if key.get('protected'):
            client.unprotect_key(key['id'], region=region)
        client.delete_key(key['id'], region=region)
    except KeyManagerError:
        current = client.get_key(key['id'], region)
        if current is not None and current['state'] != 'scheduled_for_deletion':
            raise
