# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The keyring, planned: a whole list of key specs against the keys listed once. Private, pure.

No I/O here. scwkms_keyring validates its options with these functions, plans every key with the
planner scwkms_key uses (_keyspec.plan_changes), and builds its result and report rows from the keys
before and after. _keyring_run.py does the listing and the writes.
"""

from __future__ import annotations

import datetime
import re
from collections import namedtuple

from ._algorithms import ALGORITHMS, algorithm_of, is_rotatable
from ._durations import (
    DurationError, format_duration, format_timestamp, from_proto_duration, parse_duration, parse_timestamp,
    validate_rotation_period,
)
from ._keyref import kms_uri
from ._apply import ACTIONS
from ._keyspec import DEFAULT_ALGORITHM, SpecError, diff_view, plan_changes, spec_defaults

# A keyring's keys carry KEYRING_TAG_PREFIX + its name, so two keyrings sharing a project never share
# a tag unless one overrides management_tag on purpose. LEGACY_MANAGEMENT_TAG is the tag every keyring
# shared before keyrings had a name: it too marks a key as belonging to some (other) keyring.
KEYRING_TAG_PREFIX = 'scwkms-keyring:'
LEGACY_MANAGEMENT_TAG = 'managed-by:scwkms-keyring'
KEYRING_NAME = re.compile(r'[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,99}')
MAX_PARALLELISM = 64
MAX_PAGE_SIZE = 100

# Options a key entry may set, and those O(defaults) may set for every key.
ROTATION_FIELDS = ('rotation_period', 'rotate_if_older_than', 'rotate')
DEFAULTABLE_FIELDS = ('algorithm', 'description', 'tags', 'purge_tags', 'rotation_period', 'rotate_if_older_than',
                      'rotate', 'enabled', 'protected')

# Totals, in the order the result and the report show them: the action table's, then these two.
TOTAL_NAMES = tuple(sorted(set(kind.total for kind in ACTIONS.values()),
                           key=[kind.total for kind in ACTIONS.values()].index)) + ('unchanged', 'failed')

# How soon a rotation counts as "due soon" in the report.
DUE_SOON_SECONDS = 7 * 86400

# Attention ranks: the report lists keys by rank, then by name.
ATTENTION = (
    (0, 'failed'),
    (1, 'changed'),
    (2, 'rotation overdue'),
    (3, 'not usable'),
    (4, 'rotation due soon'),
    (5, 'never rotates'),
    (6, 'ok'),
)
ATTENTION_RANK = dict((reason, rank) for rank, reason in ATTENTION)

Entry = namedtuple('Entry', ['index', 'name', 'spec', 'rotate_if_older_than', 'rotation_from_defaults', 'declared'])
"""One key of the keyring: its position in O(keys) (None for a pruned key), the spec for plan_changes,
the rotate_if_older_than seconds (for the report), whether the rotation settings came from O(defaults),
and whether the key is declared (False for a key found by pruning)."""

Plan = namedtuple('Plan', ['entry', 'current', 'actions', 'error', 'known_ids'])
"""What to do for one key: the key as listed (or None), the planned actions, or the error that
stops this key (the others go on); known_ids are the ids of keys with this name already seen."""


class KeyringSpecError(SpecError):
    """The keyring spec is invalid; errors lists every problem found, each naming its entry."""

    def __init__(self, errors):
        self.errors = list(errors)
        super(KeyringSpecError, self).__init__('%d error%s in the keyring spec, nothing was changed: %s' % (
            len(self.errors), '' if len(self.errors) == 1 else 's', '; '.join(self.errors)))


# -- options ---------------------------------------------------------------------------------------

def key_options():
    """Suboptions of one element of O(keys). No defaults here: a missing value falls back to O(defaults)."""
    return dict(
        name=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent']),
        algorithm=dict(type='str', choices=list(ALGORITHMS)),
        description=dict(type='str'),
        tags=dict(type='list', elements='str'),
        purge_tags=dict(type='bool'),
        rotation_period=dict(type='raw'),
        rotate_if_older_than=dict(type='raw'),
        rotate=dict(type='bool'),
        enabled=dict(type='bool'),
        protected=dict(type='bool'),
    )


def defaults_options():
    """Suboptions of O(defaults): every key option except name and state."""
    options = key_options()
    del options['name'], options['state']
    return options


def entry_label(index, entry):
    name = entry.get('name') if isinstance(entry, dict) else None
    return 'keys[%d] (%s)' % (index, name) if name else 'keys[%d]' % index


def structural_errors(raw_keys, raw_defaults, validator_factory):
    """Every type/choice/required error of O(keys) and O(defaults), each with its index and name.

    validator_factory(options) returns an object with validate(params) -> result.errors (ansible's
    ArgumentSpecValidator); taking it as an argument keeps this module free of Ansible."""
    errors = []
    if isinstance(raw_defaults, dict):
        result = validator_factory(defaults_options()).validate(dict(raw_defaults))
        errors.extend('defaults: %s' % message for message in _messages(result))
    if not isinstance(raw_keys, list):
        return errors
    validator = validator_factory(key_options())
    for index, entry in enumerate(raw_keys):
        if not isinstance(entry, dict):
            errors.append('keys[%d]: each key must be a dictionary with at least a name, got %s %r'
                          % (index, type(entry).__name__, entry))
            continue
        result = validator.validate(dict(entry))
        errors.extend('%s: %s' % (entry_label(index, entry), message) for message in _messages(result))
    return errors


def _messages(result):
    messages = []
    for error in getattr(result.errors, 'errors', None) or []:
        message = str(error.args[0]) if error.args else str(error)
        if type(error).__name__ == 'UnsupportedError':
            message = 'unsupported option %s' % message
        messages.append(message)
    return messages


# -- ownership -------------------------------------------------------------------------------------

def management_tag_of(keyring, management_tag, errors):
    """The tag that marks this keyring's keys: management_tag when given ('' turns ownership off),
    else scwkms-keyring:<keyring>. Neither given is an error: a shared default tag is what let one
    keyring prune another's keys."""
    if management_tag is not None:
        return management_tag or None
    if keyring is None:
        errors.append('keyring: name this keyring (for example keyring: billing); its keys are tagged %s<keyring>, '
                      'so keyrings sharing a project never touch each other\'s keys. Keys made by an earlier version '
                      'carry %s: set management_tag to that tag to keep managing them'
                      % (KEYRING_TAG_PREFIX, LEGACY_MANAGEMENT_TAG))
        return None
    if not KEYRING_NAME.fullmatch(keyring):
        errors.append('keyring: %r is not a valid keyring name: 1 to 100 letters, digits and ._:/@+- , starting '
                      'with a letter or digit' % (keyring,))
        return None
    return KEYRING_TAG_PREFIX + keyring


def is_keyring_tag(tag):
    return tag.startswith(KEYRING_TAG_PREFIX) or tag == LEGACY_MANAGEMENT_TAG


def foreign_tags(key, management_tag):
    """The tags on key that mark it as another keyring's."""
    return [tag for tag in key.get('tags') or [] if tag != management_tag and is_keyring_tag(tag)]


def claim(keys, entries, management_tag, adopt):
    """(owned, adopted, conflicts) among listed live keys; a conflict is (name, message).

    Carrying management_tag (or, with none, any key) makes a key owned unless it also carries another
    keyring's tag. A declared name held by another keyring's key, or by an untagged key while adopt is
    false, is a conflict: the run stops before any write and says which key and what to do."""
    labels = dict((entry.name, entry_label(entry.index, {'name': entry.name})) for entry in entries)
    owned, adopted, conflicts = [], [], []
    for key in keys:
        theirs = foreign_tags(key, management_tag)
        mine = not management_tag or management_tag in (key.get('tags') or [])
        if not theirs and mine:
            owned.append(key)
        elif key.get('name') not in labels:
            continue  # not declared: neither read further nor pruned
        elif theirs:
            conflicts.append((key['name'], '%s: key %s carries %s, the tag of another keyring; a keyring never adopts, '
                              'changes or prunes another keyring\'s key. Rename the key in one of the keyrings'
                              % (labels[key['name']], key['id'], ', '.join(theirs))))
        elif adopt:
            adopted.append(key)
        else:
            conflicts.append((key['name'], '%s: key %s has this name but not the management tag %s; set adopt: true '
                              '(scwkms_keyring_adopt) to adopt it (the tag is added), or rename the key in the keyring'
                              % (labels[key['name']], key['id'], management_tag)))
    return owned, adopted, conflicts


def restorable(key, management_tag, adopt):
    """Whether a key scheduled for deletion may be restored for a declared name: one of ours, or an
    untagged one when adopting; never another keyring's."""
    if foreign_tags(key, management_tag):
        return False
    return not management_tag or adopt or management_tag in (key.get('tags') or [])


# -- building the entries ------------------------------------------------------------------------

def build_entries(keys, defaults, management_tag, prune):
    """Entries for every declared key, after AnsibleModule validated the types.

    Every problem of every entry is collected; KeyringSpecError lists them all, before any request."""
    defaults = dict((name, value) for name, value in (defaults or {}).items() if value is not None)
    errors = []
    if prune and not management_tag:
        errors.append('prune: pruning needs a management_tag, the tag that marks the keys this keyring owns; '
                      'without one the keyring cannot tell its keys from the others')
    default_rotation = _default_rotation(defaults, errors)
    seen = {}
    entries = []
    for index, raw in enumerate(keys or []):
        label = entry_label(index, raw)
        name = raw.get('name')
        if not name or not str(name).strip():
            errors.append('%s: name: must be a non-empty string' % label)
            continue
        if name != name.strip():
            errors.append('%s: name: %r has leading or trailing spaces' % (label, name))
        if name in seen:
            errors.append('%s: name: %r is already declared by keys[%d]; names must be unique within the keyring'
                          % (label, name, seen[name]))
            continue
        seen[name] = index
        entry = _entry(index, raw, defaults, default_rotation, management_tag, label, errors)
        if entry is not None:
            entries.append(entry)
    if errors:
        raise KeyringSpecError(errors)
    return entries


def validated(params, structural=()):
    """(entries, management_tag) from the module's parameters; KeyringSpecError lists every problem:
    the structural ones found before AnsibleModule (structural), then the options', then every entry's."""
    errors = list(structural)
    if structural:
        raise KeyringSpecError(errors)
    management_tag = management_tag_of(params.get('keyring'), params.get('management_tag'), errors)
    for option, maximum in (('parallelism', MAX_PARALLELISM), ('page_size', MAX_PAGE_SIZE)):
        if not 1 <= params[option] <= maximum:
            errors.append('%s: must be between 1 and %d, got %d' % (option, maximum, params[option]))
    try:
        entries = build_entries(params['keys'], params['defaults'], management_tag, params['prune'])
    except KeyringSpecError as exc:
        errors.extend(exc.errors)
    if errors:
        raise KeyringSpecError(errors)
    return entries, management_tag


def _default_rotation(defaults, errors):
    """Validated rotation defaults (seconds), or {} when invalid (reported once, not per key)."""
    values = {}
    if 'rotation_period' in defaults:
        values['rotation_period'] = _rotation_period(defaults['rotation_period'], 'defaults.rotation_period', errors)
    if 'rotate_if_older_than' in defaults:
        values['rotate_if_older_than'] = _duration(defaults['rotate_if_older_than'], 'defaults.rotate_if_older_than',
                                                   errors)
    if defaults.get('rotate') and defaults.get('rotate_if_older_than') is not None:
        errors.append('defaults: rotate and rotate_if_older_than are mutually exclusive; use rotate to rotate now, '
                      'rotate_if_older_than to rotate on a schedule')
    if defaults.get('algorithm') and not is_rotatable(defaults['algorithm']):
        if any(field in defaults for field in ROTATION_FIELDS):
            errors.append('defaults: %s keys do not rotate; rotation_period, rotate_if_older_than and rotate apply '
                          'only to aes_256_gcm keys' % defaults['algorithm'])
    return values


def _rotation_period(value, option, errors):
    try:
        return validate_rotation_period(parse_duration(value, option), option)
    except DurationError as exc:
        errors.append(str(exc))
        return None


def _duration(value, option, errors):
    try:
        return parse_duration(value, option)
    except DurationError as exc:
        errors.append(str(exc))
        return None


def _entry(index, raw, defaults, default_rotation, management_tag, label, errors):
    own = dict((field, raw.get(field)) for field in DEFAULTABLE_FIELDS if raw.get(field) is not None)
    state = raw.get('state') or 'present'
    failures = len(errors)
    values = dict(defaults)
    values.update(own)
    algorithm = values.get('algorithm')
    # A key that sets any rotation option takes all its rotation settings from itself, none from defaults.
    own_rotation = any(field in own for field in ROTATION_FIELDS)
    rotation_from_defaults = not own_rotation and any(field in defaults for field in ROTATION_FIELDS)
    if own_rotation:
        period = (_rotation_period(own['rotation_period'], '%s: rotation_period' % label, errors)
                  if 'rotation_period' in own else None)
        older = (_duration(own['rotate_if_older_than'], '%s: rotate_if_older_than' % label, errors)
                 if 'rotate_if_older_than' in own else None)
        rotate = bool(own.get('rotate'))
        if algorithm and not is_rotatable(algorithm) and state == 'present':
            errors.append('%s: %s keys do not rotate; remove rotation_period, rotate_if_older_than and rotate from '
                          'this key, or use aes_256_gcm' % (label, algorithm))
    else:
        period = default_rotation.get('rotation_period')
        older = default_rotation.get('rotate_if_older_than')
        rotate = bool(defaults.get('rotate'))
    if rotate and older is not None and own_rotation:
        errors.append('%s: rotate and rotate_if_older_than are mutually exclusive; use rotate to rotate now, '
                      'rotate_if_older_than to rotate on a schedule' % label)
    if len(errors) > failures:
        return None

    spec = spec_defaults(
        name=raw['name'], algorithm=algorithm, description=values.get('description'),
        tags=values.get('tags'), purge_tags=values.get('purge_tags', True),
        rotation_policy=None if period is None else {'rotation_period': period, 'next_rotation_at': None},
        enabled=values.get('enabled'), protected=values.get('protected'), origin=None, rotate=rotate,
        rotate_if_older_than=older, has_key_material=False, state=state,
    )
    _add_management_tag(spec, management_tag)
    return Entry(index, raw['name'], spec, older, rotation_from_defaults, True)


def _add_management_tag(spec, management_tag):
    if not management_tag or spec['state'] != 'present':
        return
    if spec['tags'] is None:
        # Tags not declared: keep the key's tags and add the management tag.
        spec['tags'] = [management_tag]
        spec['purge_tags'] = False
    elif management_tag not in spec['tags']:
        spec['tags'] = list(spec['tags']) + [management_tag]


def prune_entry(key, prune_protected):
    """An entry that schedules the deletion of an owned key no longer declared."""
    spec = spec_defaults(name=None, state='absent', protected=False if prune_protected else None)
    return Entry(None, key.get('name'), spec, None, False, False)


# -- planning -------------------------------------------------------------------------------------

def group_by_name(keys):
    groups = {}
    for key in keys:
        groups.setdefault(key.get('name'), []).append(key)
    return groups


def missing_names(entries, keys):
    """Names of declared present keys that none of `keys` carries."""
    listed = set(key.get('name') for key in keys)
    return [entry.name for entry in entries if entry.spec['state'] == 'present' and entry.name not in listed]


def spec_for(entry, current):
    """The entry's spec, without rotation settings inherited from O(defaults) when the key turns out
    not to be symmetric (defaults apply rotation to the keys that can rotate)."""
    if not entry.rotation_from_defaults:
        return entry.spec
    algorithm = algorithm_of(current) if current else (entry.spec['algorithm'] or DEFAULT_ALGORITHM)
    if algorithm and is_rotatable(algorithm):
        return entry.spec
    spec = dict(entry.spec)
    spec.update(rotation_policy=None, rotate_if_older_than=None, rotate=False)
    return spec


def plan_keyring(entries, holdings, now, prune=False, prune_protected=False):
    """A Plan for every declared key, then for every owned key no longer declared when pruning.

    holdings.owned: live keys of this keyring (see claim); holdings.adopted: live untagged keys adopted
    for a declared name missing from the owned keys; holdings.scheduled: keys scheduled for deletion
    whose name is declared and found nowhere live, to restore."""
    owned = holdings.owned
    owned_by, adopted_by = group_by_name(owned), group_by_name(holdings.adopted)
    scheduled_by = group_by_name(holdings.scheduled)
    plans = []
    for entry in entries:
        present = entry.spec['state'] == 'present'
        candidates, where = owned_by.get(entry.name), 'live keys'
        if not candidates:
            candidates = adopted_by.get(entry.name)
        if not candidates and present:
            candidates, where = scheduled_by.get(entry.name), 'keys scheduled for deletion'
        candidates = candidates or []
        known_ids = tuple(key['id'] for key in candidates)
        if len(candidates) > 1:
            error = ('name: %d %s are named %r (%s); Key Manager names are not unique, so the keyring cannot tell '
                     'which one is this key. Rename or delete the others' % (
                         len(candidates), where, entry.name, ', '.join(sorted(known_ids))))
            plans.append(Plan(entry, None, [], error, known_ids))
            continue
        current = candidates[0] if candidates else None
        plans.append(_plan_one(entry, current, now, known_ids))
    if prune:
        declared = set(entry.name for entry in entries)
        for key in sorted(owned, key=lambda key: (key.get('name') or '', key['id'])):
            if key.get('name') in declared:
                continue
            entry = prune_entry(key, prune_protected)
            if key.get('protected') and not prune_protected:
                plans.append(Plan(entry, key, [], (
                    'prune: key %s carries the management tag but is no longer declared, and it is protected, so '
                    'it was not scheduled for deletion. Set prune_protected (scwkms_keyring_prune_protected) to '
                    'true to unprotect and delete it, or declare it again' % key['id']), (key['id'],)))
                continue
            plans.append(_plan_one(entry, key, now, (key['id'],)))
    return plans


def _plan_one(entry, current, now, known_ids):
    try:
        actions = plan_changes(current, spec_for(entry, current), now)
    except SpecError as exc:
        return Plan(entry, current, [], str(exc), known_ids)
    return Plan(entry, current, actions, None, known_ids)


# -- results and report ---------------------------------------------------------------------------

def human_age(seconds):
    """Rounded down, one unit: 3d, 5h, 12m, 40s; None stays None."""
    if seconds is None:
        return None
    seconds = int(seconds)
    sign = '-' if seconds < 0 else ''
    seconds = abs(seconds)
    for unit, size in (('y', 365 * 86400), ('d', 86400), ('h', 3600), ('m', 60)):
        if seconds >= size:
            return '%s%d%s' % (sign, seconds // size, unit)
    return '%s%ds' % (sign, seconds)


def _next_rotation(key, entry):
    """(timestamp, by) of the next rotation: the policy's, or the keyring's own rotate_if_older_than."""
    if not key or not algorithm_of(key) or not is_rotatable(algorithm_of(key)):
        return None, None
    if key.get('state') == 'scheduled_for_deletion':
        return None, None
    candidates = []
    policy = key.get('rotation_policy') or {}
    if policy.get('next_rotation_at'):
        candidates.append((parse_timestamp(policy['next_rotation_at']), 'rotation_policy'))
    last = key.get('rotated_at') or key.get('created_at')
    if entry is not None and entry.rotate_if_older_than is not None and last:
        candidates.append((parse_timestamp(last) + datetime.timedelta(seconds=entry.rotate_if_older_than),
                           'rotate_if_older_than'))
    if not candidates:
        return None, None
    moment, by = min(candidates, key=lambda item: item[0])
    return moment, by


def report_row(plan, final, actions, status, error, now, region=None):
    """One element of RV(keyring): what the key is, what this run did to it, what needs attention."""
    entry = plan.entry
    key = final or None
    shown = key or {}
    algorithm = algorithm_of(shown) if shown else None
    last = shown.get('rotated_at') or shown.get('created_at')
    # Clamped: a key created or rotated by this run is younger than `now`, taken when the run began.
    age = max(0, int((now - parse_timestamp(last)).total_seconds())) if last else None
    next_at, next_by = _next_rotation(key, entry)
    policy = shown.get('rotation_policy') or {}
    period = from_proto_duration(policy.get('rotation_period')) if policy.get('rotation_period') else None
    row = {
        'name': entry.name if entry.declared else shown.get('name'),
        'id': shown.get('id'),
        'declared': entry.declared,
        'index': entry.index,
        'desired_state': entry.spec['state'] if entry.declared else 'pruned',
        'actions': list(actions),
        'status': status,
        'error': error,
        'algorithm': algorithm,
        'state': shown.get('state') or 'absent',
        'protected': shown.get('protected'),
        'tags': list(shown.get('tags') or []),
        'rotation_count': shown.get('rotation_count'),
        'rotated_at': shown.get('rotated_at'),
        'rotation_age_seconds': age,
        'rotation_age': human_age(age),
        'rotation_period': format_duration(period),
        'next_rotation_at': format_timestamp(next_at) if next_at else None,
        'next_rotation_by': next_by,
        'next_rotation_in': human_age((next_at - now).total_seconds()) if next_at else None,
        'kms_uri': kms_uri(shown['id'], shown.get('region') or region) if shown.get('id') else None,
    }
    row['attention'], row['attention_reason'] = attention(row, next_at, now)
    return row


def attention(row, next_at, now):
    """(rank, reason): lower ranks need attention first."""
    if row['status'] == 'failed':
        reason = 'failed'
    elif row['status'] == 'changed':
        reason = 'changed'
    elif next_at is not None and next_at <= now:
        reason = 'rotation overdue'
    elif row['state'] in ('disabled', 'pending_key_material', 'scheduled_for_deletion') and row['declared']:
        reason = 'not usable' if row['desired_state'] == 'present' else 'ok'
    elif next_at is not None and (next_at - now).total_seconds() <= DUE_SOON_SECONDS:
        reason = 'rotation due soon'
    elif (row['state'] == 'enabled' and row['algorithm'] and is_rotatable(row['algorithm'])
          and next_at is None):
        reason = 'never rotates'
    else:
        reason = 'ok'
    return ATTENTION_RANK[reason], reason


def totals(rows, action_names):
    """Counts per action (a key counts once under each action it got), plus unchanged and failed.
    action_names: for each row, the action names (create, rotate, ...) done or planned."""
    counts = dict((name, 0) for name in TOTAL_NAMES)
    for row, names in zip(rows, action_names):
        for total in sorted(set(ACTIONS[name].total for name in names)):
            counts[total] += 1
        if row['status'] == 'failed':
            counts['failed'] += 1
        elif not names:
            counts['unchanged'] += 1
    counts['keys'] = len(rows)
    counts['changed'] = sum(1 for names in action_names if names)
    return counts


def key_diff(plan, before, after):
    """One element of the diff list Ansible shows, for a key that changed."""
    name = plan.entry.name if plan.entry.declared else (plan.current or {}).get('name')
    return {'before_header': 'key %s' % name, 'after_header': 'key %s' % name,
            'before': diff_view(before), 'after': diff_view(after)}


def summary_message(counts, check_mode):
    parts = ['%d %s' % (counts[name], name.replace('_', ' ')) for name in TOTAL_NAMES
             if counts[name] and name not in ('unchanged', 'failed')]
    verb = 'would be ' if check_mode else ''
    text = 'keyring of %d key%s: ' % (counts['keys'], '' if counts['keys'] == 1 else 's')
    text += ('%s%s' % (verb, ', '.join(parts))) if parts else 'nothing to change'
    text += ', %d unchanged' % counts['unchanged'] if parts and counts['unchanged'] else ''
    text += ', %d failed' % counts['failed'] if counts['failed'] else ''
    return text


def failed_result(msg, errors, conflicts=()):
    """The result of a run stopped before any write: nothing changed."""
    return {'changed': False, 'keyring': [], 'totals': totals([], []), 'errors': list(errors),
            'conflicts': list(conflicts), 'msg': msg, 'listed': {'owned': 0, 'adopted': 0, 'scheduled_for_deletion': 0}}


def conflict_result(conflicts):
    messages = [message for _name, message in conflicts]
    return failed_result('%d declared key%s held by keys this keyring does not own, nothing was changed: %s' % (
        len(messages), '' if len(messages) == 1 else 's', '; '.join(messages)), messages, messages)


def failure_message(result):
    if result['conflicts'] or not result['keyring']:
        return result['msg']
    counts = result['totals']
    return '%d of %d key%s failed (%s): %s' % (counts['failed'], counts['keys'], '' if counts['keys'] == 1 else 's',
                                               result['msg'], '; '.join(result['errors']))


def row_label(row):
    if row['declared']:
        return 'keys[%d] (%s)' % (row['index'], row['name'])
    return 'pruned key %s (%s)' % (row['name'], row['id'])
