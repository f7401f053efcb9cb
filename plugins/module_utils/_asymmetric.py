# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What scwkms_public_key, scwkms_sign, scwkms_verify and the scwkms_public_key lookup share. Private.

* locate(): a key reference -> the key id and region, reading the key only when the caller needs it
  (a key given by id costs no request here; a name costs one list request);
* fetch_public_key(): one GET public-key, with a clear message when the key has no public key
  (the failure is explained with one more GET of the key, only on that error path);
* signing_algorithm(): the algorithm to sign or verify with, from the key or from the user's hint,
  refusing keys that cannot sign;
* write_dest(): the file side of the modules (content, then mode/owner/group), check and diff aware.

The request counts documented in the modules follow from these functions; keep them in step.
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections import namedtuple

from ._algorithms import ALGORITHM_USAGE, algorithm_of
from ._client import KeyManagerError
from ._errors import UserError
from ._credentials import require_project
from ._digest import (
    SIGNING_ALGORITHMS, DigestError, decode_base64, digest_file, digest_message, parse_digest, require_signing,
)
from ._keyref import kms_uri
from ._keys import find_by_name, target_of
from ._pem import PublicKeyError, parse_public_key

# Statuses of a failed GET public-key that the key itself can explain (usage, state).
_EXPLAINABLE = (400, 409, 412, 422, 423)

Target = namedtuple('Target', ['key_id', 'region', 'key', 'reference'])
"""key is the Key as the API sent it, or None when it was not read (a key given by id)."""


class KeyUseError(UserError):
    """The key exists (or not) but cannot serve this operation; the message says why."""


class KeyNotFound(KeyUseError):
    pass


def describe(target):
    key = target.key or {}
    name = key.get('name')
    return 'key %s%s' % (target.key_id, ' (%s)' % name if name else '')


def locate(client, settings, reference, region=None, project_id=None, read_key=False):
    """Target for a reference. A key given by id is read (GET /keys/{id}) only with read_key; a name is
    always resolved with one list request, which returns the key too."""
    key_id, name, region = target_of(reference, settings, region)
    if key_id and not read_key:
        return Target(key_id, region, None, reference)
    if key_id:
        key = client.get_key(key_id, region)
        if key is None:
            raise KeyNotFound('key %s does not exist in region %s' % (key_id, region))
        return Target(key_id, region, key, reference)
    project = require_project(settings, project_id)
    key = find_by_name(client, name, project, region)
    if key is None:
        raise KeyNotFound('no key named %r in project %s, region %s' % (name, project, region))
    return Target(key['id'], region, key, reference)


def fetch_public_key(client, target):
    """The PEM exactly as served (one request). A 404 or a refusal the key explains raises KeyUseError."""
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
    if ALGORITHM_USAGE.get(algorithm) == 'symmetric_encryption':
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


# -- what to sign or verify ---------------------------------------------------------------------

INPUTS = ('content', 'content_b64', 'path', 'digest')


def check_inputs(params):
    """Everything about the input that can be checked before a request."""
    if params['algorithm'] is not None:
        require_signing(params['algorithm'])
        if params['digest'] is not None:
            parse_digest(params['digest'], params['algorithm'])
    elif params['digest'] is not None:
        # Without the algorithm the length must at least fit one of them (32 or 48 bytes).
        try:
            parse_digest(params['digest'], 'ec_p256_sha256')
        except DigestError:
            try:
                parse_digest(params['digest'], 'ec_p384_sha384')
            except DigestError as exc:
                raise DigestError(str(exc).replace(', but ec_p384_sha384 signs a 48-byte SHA-384 digest',
                                                   ', but Key Manager signs 32-byte SHA-256 or 48-byte SHA-384 digests'))
    if params['content_b64'] is not None:
        decode_base64(params['content_b64'], 'content_b64', 'content')
    if params['path'] is not None:
        check_readable(params['path'])


def compute_digest(params, algorithm):
    """The digest of whichever input was given, for this algorithm's hash."""
    if params['digest'] is not None:
        return parse_digest(params['digest'], algorithm)
    if params['path'] is not None:
        return digest_file(params['path'], algorithm)
    if params['content_b64'] is not None:
        return digest_message(decode_base64(params['content_b64'], 'content_b64', 'content'), algorithm)
    return digest_message(params['content'].encode('utf-8'), algorithm)


def identity(target):
    return {'key_id': target.key_id, 'region': target.region, 'kms_uri': kms_uri(target.key_id, target.region)}


# -- files ---------------------------------------------------------------------------------------

def read_existing(module, dest):
    """The bytes of dest, or None when it does not exist; fails on a directory or a missing parent."""
    if os.path.isdir(dest):
        module.fail_json(msg='dest: %s is a directory; give a file path' % dest)
    parent = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(parent):
        module.fail_json(msg='dest: the directory %s does not exist' % parent)
    if not os.path.exists(dest):
        return None
    try:
        with open(dest, 'rb') as handle:
            return handle.read()
    except (IOError, OSError) as exc:
        module.fail_json(msg='dest: cannot read %s: %s' % (dest, exc.strerror or exc))


def write_dest(module, dest, content, current, binary=False):
    """Write content when it differs from current, then apply mode/owner/group/... .
    Returns (changed, diffs) where diffs is a list for the result's `diff` (content, then attributes)."""
    content_changed = current != content
    diffs = []
    if module._diff and content_changed:
        diffs.append({
            'before_header': dest if current is not None else '%s (absent)' % dest,
            'after_header': dest,
            'before': '' if current is None else _diff_text(current, binary),
            'after': _diff_text(content, binary),
        })
    if content_changed and not module.check_mode:
        parent = os.path.dirname(os.path.abspath(dest))
        handle, temporary = tempfile.mkstemp(prefix='.scwkms-', dir=parent)
        try:
            with os.fdopen(handle, 'wb') as stream:
                stream.write(content)
            module.atomic_move(temporary, dest, unsafe_writes=module.params.get('unsafe_writes'))
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    if module.check_mode and current is None:
        # The file does not exist yet, so its attributes cannot be compared: creating it is the change.
        return True, diffs
    attribute_diff = {'before': {'path': dest}, 'after': {'path': dest}}
    file_args = module.load_file_common_arguments(module.params, path=dest)
    changed = module.set_fs_attributes_if_different(file_args, content_changed, diff=attribute_diff)
    if module._diff and attribute_diff['before'] != attribute_diff['after']:
        diffs.append(attribute_diff)
    return changed, diffs


def _diff_text(data, binary):
    if binary:
        return 'binary, %d bytes, base64:\n%s\n' % (len(data), base64.b64encode(data).decode('ascii'))
    return data.decode('utf-8', 'replace')


def check_readable(path, option='path'):
    """Fail early (before any request) when a file to digest cannot be opened."""
    if os.path.isdir(path):
        raise DigestError('%s: %s is a directory' % (option, path))
    try:
        with open(path, 'rb'):
            pass
    except (IOError, OSError) as exc:
        raise DigestError('%s: cannot read %s: %s' % (option, path, exc.strerror or exc))
