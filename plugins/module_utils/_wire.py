# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What travels on the wire: base64 bytes fields, and the shape each answer must have. Private.

No HTTP and no third-party import here, so pure helpers (_digest, _pem) and modules share b64decode.
A shape is a description ("a key") and a function returning what is wrong with a body, or None;
checked_body() turns a problem into a malformed_response error before any caller sees the body.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections import namedtuple

from ._durations import parse_timestamp, to_proto_duration
from ._errors import KeyManagerError

Shape = namedtuple('Shape', ['what', 'problem'])

_UUID = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
_JSON_TYPES = ((bool, 'a boolean'), (str, 'a string'), (int, 'a number'), (float, 'a number'),
               (dict, 'an object'), (list, 'an array'), (type(None), 'null'))
_EMPTY = object()
_KEY_FIELDS = (('id', str), ('state', str), ('usage', dict), ('rotation_count', int), ('tags', list))


def b64encode(data):
    return base64.b64encode(data).decode('ascii')


def b64decode(text):
    """The collection's one lenient base64 decoder (API answers, PEM bodies, options such as content_b64,
    signature and key_material). Lenient as protojson, because people paste base64 from JWS (URL-safe,
    unpadded), PEM bodies (wrapped) and shell output (trailing newline): standard or URL-safe alphabet (not
    both at once), padding optional, whitespace ignored. Strict about characters, so a typo is an error,
    not silent garbage: anything else raises ValueError (binascii.Error, or UnicodeEncodeError for non-ASCII)."""
    if text is None:
        return None
    value = ''.join(text.split())
    urlsafe = '-' in value or '_' in value
    if urlsafe and ('+' in value or '/' in value):
        raise binascii.Error('both base64 alphabets at once')
    padded = (value + '=' * (-len(value) % 4)).encode('ascii')
    return base64.b64decode(padded, altchars=b'-_' if urlsafe else None, validate=True)


def _json_type(value):
    return next(name for kind, name in _JSON_TYPES if isinstance(value, kind))


def field_problem(body, name, kind, nullable=False, encoded=False):
    """What is wrong with body[name] given the type it needs (bool is not a number here), or None."""
    if name not in body:
        return f"missing '{name}'"
    value = body[name]
    if value is None and nullable:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        return f"'{name}' is {_json_type(value)}, not {_json_type(kind())}"
    if encoded:
        try:
            b64decode(value)
        except (ValueError, UnicodeEncodeError):
            return f"'{name}' is not base64"
    return None


def _fields(*rules):
    """A problem function checking an object's fields: rules are (name, type[, options])."""
    def problem(body):
        if not isinstance(body, dict):
            return f'it is {_json_type(body)}, not an object'
        for name, kind, *options in rules:
            found = field_problem(body, name, kind, **(options[0] if options else {}))
            if found:
                return found
        return None
    return problem


def key_problem(body):
    found = _key_fields(body)
    if found is None and not _UUID.fullmatch(body['id']):
        return "'id' is not a UUID"
    return found


def key_list_problem(body):
    found = _fields(('keys', list), ('total_count', int))(body)
    if found is not None:
        return found
    for index, key in enumerate(body['keys']):
        found = key_problem(key)
        if found:
            return f'keys[{index}]: {found}'
    return None


_key_fields = _fields(*_KEY_FIELDS)
BASE64 = {'encoded': True}
KEY = Shape('a key', key_problem)
KEY_LIST = Shape('a key list', key_list_problem)
PUBLIC_KEY = Shape('a public key', _fields(('pem', str)))
SIGNATURE = Shape('a signature', _fields(('signature', str, BASE64)))
VERIFICATION = Shape('a verification', _fields(('valid', bool)))
CIPHERTEXT = Shape('a ciphertext', _fields(('ciphertext', str, BASE64)))
PLAINTEXT = Shape('a decryption', _fields(('plaintext', str, BASE64), ('ciphertext', str, dict(BASE64, nullable=True))))
DATA_KEY = Shape('a data key', _fields(('ciphertext', str, BASE64), ('plaintext', str, BASE64)))
SEALED_DATA_KEY = Shape('a data key', _fields(('ciphertext', str, BASE64),
                                              ('plaintext', str, dict(BASE64, nullable=True))))


def rotation_policy_body(policy):
    """{'rotation_period': seconds, 'next_rotation_at': str|None} -> the wire form."""
    if policy is None:
        return None
    return {'rotation_period': to_proto_duration(policy['rotation_period']),
            'next_rotation_at': policy.get('next_rotation_at')}


_NEVER = parse_timestamp('9999-12-31T23:59:59Z')


def winner_of(keys):
    """The rule every racer that created the same name applies alike, so all agree without talking:
    the key created first wins (earliest created_at, then smallest id); the others are discarded."""
    return min(keys, key=lambda key: (_created_at(key), key['id']))


def _created_at(key):
    stamp = key.get('created_at')
    return parse_timestamp(stamp) if stamp else _NEVER


def checked_body(method, path, status, raw, shape):
    """The JSON body of a success, or a malformed_response error naming the call and what is wrong."""
    if shape is None:
        return None
    try:
        body = json.loads(raw) if raw.strip() else _EMPTY
    except ValueError:
        problem = 'it is not JSON'
    else:
        problem = 'it is empty' if body is _EMPTY else shape.problem(body)
    if problem is None:
        return body
    route = '/' + path.split('/regions/', 1)[-1].partition('/')[2]
    return KeyManagerError(f'{method} {route} answered HTTP {status} with a body that is not {shape.what}: '
                           f'{problem}', method, path, status, 'malformed_response')
