# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Why a key cannot encrypt or decrypt, said before the request when the key is known, and after a refusal
by reading the key (the only extra request, on the error path). Messages never hold data. Private."""

from __future__ import annotations

from contextlib import contextmanager

from ._algorithms import ALGORITHM_USAGE, algorithm_of, named
from ._client import KeyManagerError
from ._target import KeyNotFound, KeyUseError, describe

ENCRYPTION_ALGORITHMS = named('aes') + named('rsa_oaep')
# Statuses of a refused crypto call that the key itself can explain (usage, state).
_EXPLAINABLE = (400, 403, 409, 412, 422, 423)
_NOT_AUTHENTIC = ('the ciphertext does not decrypt with %s: wrong associated data, a ciphertext of another key, '
                  'or data that was changed')
_NOT_AUTHENTIC_DEK = ("the envelope's data key does not decrypt with %s: the envelope was made with another key, "
                      'or was changed')


class SealingError(KeyUseError):
    """Encryption or decryption cannot happen, for a reason the playbook author can fix."""


def usable_algorithm(target, hint, operation='encrypt', allowed=ENCRYPTION_ALGORITHMS):
    """The algorithm to use: the key's when it was read (one of `allowed`, enabled, matching the hint), else the
    hint (None when neither is known)."""
    if hint is not None and hint not in allowed:
        raise SealingError('algorithm: %s cannot %s; use one of %s' % (hint, operation, ', '.join(allowed)))
    if target.key is None:
        return hint
    algorithm = algorithm_of(target.key)
    if algorithm not in allowed:
        usage = ALGORITHM_USAGE.get(algorithm, 'unknown usage')
        raise SealingError('%s is %s %s key (%s): it cannot %s; only %s keys can' % (
            describe(target), 'an' if usage[0] in 'aeiou' else 'a', usage, algorithm, operation, ', '.join(allowed)))
    if target.key.get('state') != 'enabled':
        raise SealingError('%s is %s: only enabled keys can %s' % (describe(target), target.key.get('state'), operation))
    if hint is not None and hint != algorithm:
        raise SealingError('algorithm: %s was given, but %s is an %s key' % (hint, describe(target), algorithm))
    return algorithm


def _arguments(exc):
    return set(detail.get('argument_name') for detail in exc.details.get('details') or [] if isinstance(detail, dict))


@contextmanager
def explained(client, target, operation, envelope=False, allowed=ENCRYPTION_ALGORITHMS):
    """Turn a refused encrypt/decrypt into KeyNotFound or SealingError when the answer or the key explains it."""
    try:
        yield
    except KeyManagerError as exc:
        if exc.status == 404:
            raise KeyNotFound('key %s does not exist in region %s' % (target.key_id, target.region))
        arguments = _arguments(exc) if exc.status == 400 else set()
        if 'ciphertext' in arguments:
            raise SealingError((_NOT_AUTHENTIC_DEK if envelope else _NOT_AUTHENTIC) % describe(target))
        if 'associated_data' in arguments:
            raise SealingError('associated_data: %s takes no associated data; only symmetric keys and envelopes do'
                               % describe(target))
        if exc.status not in _EXPLAINABLE:
            raise
        _explain_from_key(client, target, operation, exc, allowed)
        raise


def _explain_from_key(client, target, operation, exc, allowed):
    try:
        key = client.get_key(target.key_id, target.region)
    except KeyManagerError:
        raise exc
    if key is None:
        raise KeyNotFound('key %s does not exist in region %s' % (target.key_id, target.region))
    try:
        usable_algorithm(target._replace(key=key), None, operation, allowed)
    except SealingError as reason:
        raise SealingError('%s (Key Manager answered HTTP %s%s)' % (
            reason, exc.status, ' %s' % exc.error_type if exc.error_type else ''))
