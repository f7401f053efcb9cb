# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Pure functions: a desired key spec against the current key -> the calls to make, and a diff.

No I/O here: scwkms_key and scwkms_keyring both plan with these, then execute the plan with the
client. A spec is a dict with these keys (None means "leave as it is" for an existing key):
name, algorithm, description, tags, purge_tags, rotation_policy ({'rotation_period': seconds,
'next_rotation_at': RFC 3339 str or None}), enabled, protected, origin, rotate,
rotate_if_older_than (seconds), has_key_material, state ('present' or 'absent').
"""

from __future__ import annotations

import datetime
from collections import namedtuple

from ._errors import UserError
from ._algorithms import algorithm_of, is_rotatable, usage_of
from ._durations import (
    DurationError, format_duration, format_timestamp, from_proto_duration, parse_duration, parse_timestamp,
    validate_rotation_period,
)
from ._keyref import kms_uri, validate_name

DELETION_WINDOW = datetime.timedelta(days=7)
DEFAULT_ALGORITHM = 'aes_256_gcm'

Action = namedtuple('Action', ['name', 'params'])
"""One API call: create, restore, update, enable, disable, import_key_material, rotate,
protect, unprotect or delete; params holds what the call sends (update fields, create body)."""


class SpecError(UserError):
    """The spec cannot be applied to this key; the message says why and what to do."""


def spec_defaults(**values):
    spec = {'name': None, 'algorithm': None, 'description': None, 'tags': None, 'purge_tags': True,
            'rotation_policy': None, 'enabled': None, 'protected': None, 'origin': None, 'rotate': False,
            'rotate_if_older_than': None, 'has_key_material': False, 'state': 'present'}
    spec.update(values)
    return spec


def spec_from_params(params, now):
    """The spec of a scwkms_key task from its parameters, every value checked (no request made)."""
    if params['rotate'] and params['rotate_if_older_than'] is not None:
        raise SpecError('rotate and rotate_if_older_than are mutually exclusive; use rotate to rotate now, '
                        'rotate_if_older_than to rotate on a schedule')
    older = params['rotate_if_older_than']
    name = params['name']
    return spec_defaults(
        name=None if name is None else validate_name(name), algorithm=params['algorithm'],
        description=params['description'], tags=params['tags'], purge_tags=params['purge_tags'],
        rotation_policy=rotation_policy_from(params['rotation_policy'], now), enabled=params['enabled'],
        protected=params['protected'], origin=params['origin'], rotate=params['rotate'],
        rotate_if_older_than=None if older is None else parse_duration(older, 'rotate_if_older_than'),
        has_key_material=params['key_material'] is not None, state=params['state'],
    )


def rotation_policy_from(policy, now):
    """{'rotation_period': seconds, 'next_rotation_at': RFC 3339 or None} from the option, or None."""
    if policy is None:
        return None
    option = 'rotation_policy.rotation_period'
    period = validate_rotation_period(parse_duration(policy['rotation_period'], option), option)
    next_at = policy.get('next_rotation_at')
    if next_at:
        try:
            moment = parse_timestamp(next_at)
        except ValueError:
            raise DurationError('rotation_policy.next_rotation_at: %r is not an RFC 3339 timestamp such as '
                                '2027-01-01T00:00:00Z' % next_at)
        if moment <= now:
            raise DurationError('rotation_policy.next_rotation_at: %s is in the past; it must be in the future' % next_at)
        next_at = format_timestamp(moment)
    return {'rotation_period': period, 'next_rotation_at': next_at}


# -- normalized view -----------------------------------------------------------------------------

def normalize_key(key):
    """The key as modules return it: every API field, plus algorithm, usage and the deletion window."""
    if key is None:
        return None
    policy = key.get('rotation_policy')
    period = from_proto_duration(policy.get('rotation_period')) if policy else None
    result = dict(key)
    result.update({
        'algorithm': algorithm_of(key),
        'usage': next(iter(key.get('usage') or {}), None),
        'tags': list(key.get('tags') or []),
        'rotation_policy': None if not policy else {
            'rotation_period': period,
            'rotation_period_human': format_duration(period),
            'next_rotation_at': policy.get('next_rotation_at'),
        },
        'purge_at': _purge_at(key.get('deletion_requested_at')),
        'kms_uri': kms_uri(key['id'], key.get('region')) if key.get('id') else None,
    })
    return result


def _purge_at(requested_at):
    if not requested_at:
        return None
    return format_timestamp(parse_timestamp(requested_at) + DELETION_WINDOW)


def diff_view(key):
    """The fields a diff shows, from an API key (or a predicted one); {} for no key."""
    if key is None:
        return {}
    policy = key.get('rotation_policy') or {}
    period = policy.get('rotation_period')
    view = {
        'name': key.get('name'),
        'algorithm': algorithm_of(key),
        'origin': key.get('origin'),
        'description': key.get('description'),
        'tags': list(key.get('tags') or []),
        'rotation_period': format_duration(from_proto_duration(period)) if period else None,
        'next_rotation_at': policy.get('next_rotation_at'),
        'state': key.get('state'),
        'protected': key.get('protected'),
        'rotation_count': key.get('rotation_count'),
        'rotated_at': key.get('rotated_at'),
        'deletion_requested_at': key.get('deletion_requested_at'),
    }
    return view


# -- planning ------------------------------------------------------------------------------------

def merged_tags(current, desired, purge):
    """Tags the key should end with; order of the current tags is kept, new ones appended."""
    if desired is None:
        return list(current)
    if purge:
        return list(desired) if set(desired) != set(current) else list(current)
    return list(current) + [tag for tag in desired if tag not in current]


def policy_differs(current_policy, desired):
    """Whether the desired rotation policy asks for something the key does not have."""
    if desired is None:
        return False
    if not current_policy:
        return True
    if from_proto_duration(current_policy.get('rotation_period')) != desired['rotation_period']:
        return True
    wanted_next = desired.get('next_rotation_at')
    if wanted_next is None:
        return False  # the API computes next_rotation_at itself
    have_next = current_policy.get('next_rotation_at')
    return have_next is None or parse_timestamp(have_next) != parse_timestamp(wanted_next)


def plan_create(spec):
    algorithm = spec['algorithm'] or DEFAULT_ALGORITHM
    origin = spec['origin'] or 'scaleway_kms'
    if origin == 'external' and algorithm != 'aes_256_gcm':
        raise SpecError('origin: external key material can only be imported into aes_256_gcm keys, not %s' % algorithm)
    check_policy_allowed(algorithm, spec, 'a new %s key' % algorithm)
    body = {'name': spec['name'], 'algorithm': algorithm, 'description': spec['description'],
            'tags': list(spec['tags'] or []), 'rotation_policy': spec['rotation_policy'],
            'protected': spec['protected'] is not False, 'origin': origin}
    actions = [Action('create', body)]
    if origin == 'external' and spec['has_key_material']:
        actions.append(Action('import_key_material', {}))
    if spec['enabled'] is False and (origin != 'external' or spec['has_key_material']):
        actions.append(Action('disable', {}))
    return actions


def plan_changes(current, spec, now):
    """Actions that take `current` (an API key or None) to `spec`, in a safe order.

    Raises SpecError for what cannot be done (immutable algorithm, rotating an asymmetric key,
    deleting a protected key without protected: false, ...), before any call is made."""
    if spec['state'] == 'absent':
        return plan_absent(current, spec)
    if current is None:
        return plan_create(spec)
    check_immutable(current, spec)
    actions = []
    if current.get('state') == 'scheduled_for_deletion':
        actions.append(Action('restore', {}))
        current = restored(current)
    actions.extend(plan_existing(current, spec, now))
    if actions and current.get('locked'):
        raise SpecError('key %s is locked by another Scaleway product and cannot be changed' % current['id'])
    return actions


def check_immutable(current, spec):
    algorithm = algorithm_of(current)
    if spec['algorithm'] and spec['algorithm'] != algorithm:
        raise SpecError('algorithm: key %s (%s) is %s; the algorithm of a key cannot change. Create a new key '
                        'with another name for %s' % (current['id'], current.get('name'), algorithm, spec['algorithm']))
    if spec['origin'] and spec['origin'] != current.get('origin'):
        raise SpecError('origin: key %s has origin %s; the origin of a key cannot change'
                        % (current['id'], current.get('origin')))
    check_policy_allowed(algorithm, spec, 'key %s (%s)' % (current['id'], algorithm))


def check_policy_allowed(algorithm, spec, what):
    if spec['rotation_policy'] is not None and not is_rotatable(algorithm):
        raise SpecError('rotation_policy: %s is %s; only symmetric keys rotate, so it cannot have a rotation policy'
                        % (what, usage_of(algorithm)))


def plan_existing(current, spec, now):
    state = current.get('state')
    enable = spec['enabled'] is True and state == 'disabled'
    disable = spec['enabled'] is False and state == 'enabled'
    actions = [Action('enable', {})] if enable else []
    update = update_fields(current, spec)
    if update:
        actions.append(Action('update', update))
    if state == 'pending_key_material' and spec['has_key_material']:
        actions.append(Action('import_key_material', {}))
        disable = spec['enabled'] is False
    elif wants_rotation(current, spec, now):
        actions.append(rotation_action(current, spec))
    if disable:
        actions.append(Action('disable', {}))
    if spec['protected'] is True and not current.get('protected'):
        actions.append(Action('protect', {}))
    if spec['protected'] is False and current.get('protected'):
        actions.append(Action('unprotect', {}))
    return actions


def update_fields(current, spec):
    fields = {}
    if spec['name'] is not None and spec['name'] != current.get('name'):
        fields['name'] = spec['name']
    if spec['description'] is not None and spec['description'] != (current.get('description') or ''):
        fields['description'] = spec['description']
    tags = merged_tags(current.get('tags') or [], spec['tags'], spec['purge_tags'])
    if tags != list(current.get('tags') or []):
        fields['tags'] = tags
    if policy_differs(current.get('rotation_policy'), spec['rotation_policy']):
        fields['rotation_policy'] = spec['rotation_policy']
    return fields


def wants_rotation(current, spec, now):
    if not (spec['rotate'] or spec['rotate_if_older_than'] is not None):
        return False
    algorithm = algorithm_of(current)
    if not is_rotatable(algorithm):
        raise SpecError('rotate: key %s is %s (%s); only symmetric keys can be rotated. Create a new key to '
                        'replace an asymmetric one' % (current['id'], algorithm, usage_of(algorithm)))
    if spec['rotate']:
        return True
    rotated_at = current.get('rotated_at') or current.get('created_at')
    age = (now - parse_timestamp(rotated_at)).total_seconds()
    return age > spec['rotate_if_older_than']


def rotation_action(current, spec):
    if current.get('origin') != 'external':
        return Action('rotate', {})
    if not spec['has_key_material']:
        raise SpecError('key_material: key %s has external key material; rotating it means importing new key '
                        'material, so give key_material (and optionally salt) with rotate' % current['id'])
    return Action('import_key_material', {'rotation': True})


def plan_absent(current, spec):
    if current is None or current.get('state') == 'scheduled_for_deletion':
        return []
    if current.get('locked'):
        raise SpecError('key %s is locked by another Scaleway product and cannot be deleted' % current['id'])
    actions = []
    if current.get('protected'):
        if spec['protected'] is not False:
            raise SpecError('state: key %s (%s) is protected and cannot be deleted; add protected: false to this '
                            'task to unprotect it and schedule its deletion' % (current['id'], current.get('name')))
        actions.append(Action('unprotect', {}))
    actions.append(Action('delete', {}))
    return actions


def restored(key):
    """The key as a restore returns it, as far as the docs say (check mode; a real run reads it)."""
    return dict(key, state='enabled', deletion_requested_at=None)
