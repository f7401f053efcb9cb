# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The key a public-key, signing or verification task acts on, and whether it can. Private.

locate() finds the key with _locator.locate (the one way to find a key), reading it only when the
caller needs it: a key given by id costs no request here, a name one list request (which returns the
key too). The request counts documented in the modules follow from it; keep them in step.
"""

from __future__ import annotations

from collections import namedtuple

from ._algorithms import ALGORITHM_USAGE, SIGNING_ALGORITHMS, algorithm_of
from . import _locator
from ._digest import require_signing
from ._errors import UserError
from ._keyref import kms_uri

Target = namedtuple('Target', ['key_id', 'region', 'key', 'reference'])
"""key is the Key as the API sent it, or None when it was not read (a key given by id)."""


class KeyUseError(UserError):
    """The key exists (or not) but cannot serve this operation; the message says why."""


class KeyNotFound(KeyUseError, _locator.KeyNotFound):
    pass


def key_option():
    """The `key` option of the family (doc fragment scwkms.key_manager.asymmetric)."""
    return dict(type='str', required=True, aliases=['key_id'], no_log=False)


def describe(target):
    key = target.key or {}
    name = key.get('name')
    return 'key %s%s' % (target.key_id, ' (%s)' % name if name else '')


def identity(target):
    """The key_id, region and kms_uri every module of this family returns."""
    return {'key_id': target.key_id, 'region': target.region, 'kms_uri': kms_uri(target.key_id, target.region)}


def locate(client, settings, reference, region=None, project_id=None, read_key=False):
    """Target for a reference. A key given by id is read (GET /keys/{id}) only with read_key; a name is
    always resolved with one list request, which returns the key too. KeyNotFound when there is none."""
    aim = _locator.target(settings, reference=reference, region=region, project_id=project_id)
    located = _locator.locate(client, settings, reference=reference, region=region, project_id=project_id,
                              read=read_key)
    if located.key_id is None and aim.key_id:
        raise KeyNotFound('key %s does not exist in region %s' % (aim.key_id, aim.region))
    if located.key_id is None:
        raise KeyNotFound('no key named %r in project %s, region %s' % (aim.name, aim.project_id, aim.region))
    return Target(located.key_id, located.region, located.key, reference)


def check_can_sign(target, operation='sign', require_enabled=True):
    """Refuse, before the signing request, a key that was read and cannot do `operation` now."""
    key = target.key
    algorithm = algorithm_of(key)
    if algorithm not in SIGNING_ALGORITHMS:
        usage = ALGORITHM_USAGE.get(algorithm, 'unknown usage')
        raise KeyUseError('%s is %s %s key (%s): it cannot %s; signing keys use one of %s' % (
            describe(target), 'an' if usage[0] in 'aeiou' else 'a', usage, algorithm, operation,
            ', '.join(SIGNING_ALGORITHMS)))
    if require_enabled and key.get('state') != 'enabled':
        raise KeyUseError('%s is %s: only enabled keys can %s' % (describe(target), key.get('state'), operation))
    return algorithm


def signing_algorithm(target, hint=None, operation='sign', require_enabled=True):
    """The algorithm to use: the key's (checked against the hint), else the hint. None when neither is known."""
    if hint is not None:
        require_signing(hint)
    if target.key is None:
        return hint
    algorithm = check_can_sign(target, operation, require_enabled)
    if hint is not None and hint != algorithm:
        raise KeyUseError('algorithm: %s was given, but %s is an %s key' % (hint, describe(target), algorithm))
    return algorithm
