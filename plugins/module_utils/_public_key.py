# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading a key's public key: fetch it, explain why it cannot be read, and build the one result
that scwkms_public_key and the scwkms_public_key lookup (format=info) return. Private."""

from __future__ import annotations

from ._algorithms import SYMMETRIC_ENCRYPTION, ALGORITHM_USAGE, algorithm_of
from ._client import KeyManagerError
from ._pem import PublicKeyError, parse_public_key
from ._target import KeyNotFound, KeyUseError, describe, identity

# Statuses of a failed GET public-key that the key itself can explain (usage, state).
_EXPLAINABLE = (400, 409, 412, 422, 423)


def fetch_public_key(client, target):
    """The PEM exactly as served (one request). A 404 or a refusal the key explains raises KeyUseError;
    the extra GET of the key that explains it is made only on that error path."""
    try:
        return client.get_public_key(target.key_id, target.region)
    except KeyManagerError as exc:
        if exc.status == 404:
            raise KeyNotFound('key %s does not exist in region %s' % (target.key_id, target.region))
        if exc.status not in _EXPLAINABLE:
            raise
        key = target.key
        if key is None:
            try:
                key = client.get_key(target.key_id, target.region)
            except KeyManagerError:
                raise exc
        explained = _why_no_public_key(target._replace(key=key))
        if explained is None:
            raise
        raise KeyUseError('%s (Key Manager answered HTTP %s%s)' % (
            explained, exc.status, ' %s' % exc.error_type if exc.error_type else ''))


def _why_no_public_key(target):
    key = target.key
    if key is None:
        return 'key %s does not exist in region %s' % (target.key_id, target.region)
    algorithm = algorithm_of(key)
    if ALGORITHM_USAGE.get(algorithm) == SYMMETRIC_ENCRYPTION:
        return '%s is a symmetric key (%s): it has no public key' % (describe(target), algorithm)
    if key.get('state') not in (None, 'enabled', 'disabled'):
        return '%s is %s, so its public key cannot be read' % (describe(target), key.get('state'))
    return None


def public_key_info(pem, target, algorithm=None):
    """Parse the served PEM; when the algorithm is known, check the key fits it."""
    try:
        info = parse_public_key(pem)
        if algorithm:
            info.check_algorithm(algorithm)
    except PublicKeyError as exc:
        raise PublicKeyError('the public key Key Manager returned for %s cannot be used: %s' % (describe(target), exc))
    return info


def known_algorithm(target, info=None):
    """The key's algorithm when it was read, else the one its public key implies (None for RSA)."""
    if target.key is not None:
        return algorithm_of(target.key)
    return info.implied_algorithm() if info is not None else None


def public_key_result(pem, target, algorithm=None):
    """(info, result): the parsed key and every form and fact of it, with the key's identity."""
    algorithm = algorithm or known_algorithm(target)
    info = public_key_info(pem, target, algorithm)
    algorithm = algorithm or info.implied_algorithm()
    result = info.as_dict(algorithm)
    result.pop('source_label', None)
    result.pop('source_format', None)
    result.update(identity(target))
    result.update(pem_original=pem, algorithm=algorithm)
    return info, result
