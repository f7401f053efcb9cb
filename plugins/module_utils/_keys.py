# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Finding the key a reference names, with as few requests as possible. Private."""

from __future__ import annotations

from ._credentials import require_project
from ._durations import utcnow
from ._keyref import KeyRefError, parse_key_ref, validate_region
from ._keyspec import plan_existing, predict


class KeyNotUnique(KeyRefError):
    """Names are not unique in Key Manager: several keys carry the name asked for."""


def target_of(ref, settings, region=None):
    """(key_id or None, name or None, region) for a reference, validated before any request."""
    parsed = parse_key_ref(ref)
    chosen = region or settings.region
    if parsed.region and region and parsed.region != region:
        raise KeyRefError('key %s names region %s but region is %s' % (ref, parsed.region, region))
    return parsed.key_id, parsed.name, validate_region(parsed.region or chosen)


def find_by_name(client, name, project_id, region, include_scheduled=False):
    """The one live key with this exact name (one list request), else with include_scheduled the one
    scheduled for deletion (a second request), else None. Several matches raise KeyNotUnique."""
    live = _exact(client.list_keys(name=name, project_id=project_id, region=region), name)
    if live:
        return _only(live, name, 'live keys')
    if not include_scheduled:
        return None
    scheduled = _exact(client.list_keys(name=name, project_id=project_id, region=region,
                                        scheduled_for_deletion=True), name)
    return _only(scheduled, name, 'keys scheduled for deletion') if scheduled else None


def _exact(keys, name):
    # The API may match names partially: keep exact matches only.
    return [key for key in keys if key.get('name') == name]


def _only(keys, name, what):
    if len(keys) > 1:
        raise KeyNotUnique('name: %d %s are named %r (%s); Key Manager names are not unique, so give key_id '
                           'to say which one' % (len(keys), what, name, ', '.join(sorted(key['id'] for key in keys))))
    return keys[0]


def resolve_key(client, ref, settings, region=None, project_id=None, include_scheduled=False):
    """(key or None, region) for any reference: one GET by id, or a filtered list by name."""
    key_id, name, region = target_of(ref, settings, region)
    if key_id:
        return client.get_key(key_id, region), region
    project = require_project(settings, project_id)
    return find_by_name(client, name, project, region, include_scheduled), region


def apply_plan(client, key, actions, spec, region, project_id=None, key_material=None, salt=None, known_ids=(),
               now=None):
    """Run planned actions in order, each with its own call; returns the key as the API last sent it.

    After a restore the rest is planned again from the restored key, because the API does not say
    which state a restored key comes back in."""
    now = now or utcnow()
    pending = list(actions)
    while pending:
        action = pending.pop(0)
        key = _run(client, key, action, region, project_id, key_material, salt, known_ids)
        if action.name == 'restore':
            pending = plan_existing(key, spec, now)
        if action.name == 'delete':
            # DELETE answers 204 with no body: report the state it is documented to produce.
            key = predict(key, [action], now)
    return key


def _run(client, key, action, region, project_id, key_material, salt, known_ids):
    name = action.name
    if name == 'create':
        return client.create_key(project_id=project_id, region=region, known_ids=known_ids, **action.params)
    if name == 'update':
        return client.update_key(key['id'], region=region, **action.params)
    if name == 'import_key_material':
        return client.import_key_material(key['id'], key_material, salt, region=region, current=key)
    if name == 'rotate':
        return client.rotate_key(key['id'], region=region, current=key)
    if name == 'delete':
        client.delete_key(key['id'], region=region)
        return key
    return getattr(client, '%s_key' % name)(key['id'], region=region)
