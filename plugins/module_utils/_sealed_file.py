# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A self-describing text file holding one ciphertext (encrypted vars files, the vault client). Private.

    # Encrypted with Scaleway Key Manager by scwkms.key_manager; edit it with scwkms.key_manager tools.
    scwkms_sealed: 1
    key: scw-kms://regions/fr-par/keys/<uuid>
    ciphertext: <base64, folded over indented continuation lines>

It is valid YAML (yaml.safe_load gives {'scwkms_sealed': 1, 'key': ..., 'ciphertext': '<base64 with spaces>'}),
but load() parses it with the strict small parser below, so it needs no PyYAML on a managed node and refuses
anything else YAML would accept (other keys, flow or block scalars, anchors, duplicates).
"""

from __future__ import annotations

import re
from collections import namedtuple

from ._keyref import KeyRefError, parse_key_id, tink_uri
from ._sealing_errors import SealingError
from ._wire import b64decode

VERSION = 1
HEADER = '# Encrypted with Scaleway Key Manager by scwkms.key_manager; edit it with scwkms.key_manager tools.'
WIDTH = 76
_FIELDS = ('scwkms_sealed', 'key', 'ciphertext')
_LINE = re.compile(r'(?P<name>[a-z_]+):(?: (?P<value>\S+))?')
_BASE64 = re.compile(r'[A-Za-z0-9+/=_-]+')

SealedFile = namedtuple('SealedFile', ['key', 'ciphertext'])
"""key: the key URI as written in the file (checked with _keyref.parse_key_id); ciphertext: bytes."""


def dump(key_uri, ciphertext, comment=None):
    """The file's text for ciphertext (bytes) under key_uri (any form parse_key_id accepts; a bare UUID is
    written as it is). comment: extra text put as '# ' lines after the header."""
    parse_key_id(key_uri, 'key')
    encoded = b64encode_text(ciphertext)
    lines = [HEADER]
    for line in (comment or '').splitlines():
        lines.append(('# ' + line).rstrip())
    lines += ['scwkms_sealed: %d' % VERSION, 'key: %s' % key_uri,
              'ciphertext: ' + encoded[:WIDTH - len('ciphertext: ')]]
    rest = encoded[WIDTH - len('ciphertext: '):]
    lines += ['  ' + rest[index:index + WIDTH - 2] for index in range(0, len(rest), WIDTH - 2)]
    return '\n'.join(lines) + '\n'


def b64encode_text(data):
    import base64
    return base64.b64encode(bytes(data)).decode('ascii')


def is_sealed_text(text):
    """True when the first line that is not a comment or blank is `scwkms_sealed: <n>`."""
    for line in (text or '').splitlines():
        if line.strip() and not line.lstrip().startswith('#'):
            return bool(re.match(r'scwkms_sealed:\s*\d+\s*$', line))
    return False


def load(text, source):
    """SealedFile from the text; SealingError naming `source` (a path or a description) on anything else."""
    fields = _fields(text, source)
    missing = [name for name in _FIELDS if name not in fields]
    if missing:
        raise SealingError('%s: not a sealed file: %s missing' % (source, ', '.join(missing)))
    if fields['scwkms_sealed'] != str(VERSION):
        raise SealingError('%s: sealed file version %s is not supported; this collection reads version %d'
                           % (source, fields['scwkms_sealed'], VERSION))
    try:
        parse_key_id(fields['key'], 'key')
    except KeyRefError as exc:
        raise SealingError('%s: %s' % (source, exc))
    try:
        ciphertext = b64decode(fields['ciphertext'])
    except ValueError:
        ciphertext = b''
    if not ciphertext:
        raise SealingError('%s: the ciphertext is not valid base64' % source)
    return SealedFile(fields['key'], ciphertext)


def _fields(text, source):
    fields, last = {}, None
    for number, line in enumerate((text or '').splitlines(), 1):
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        if line[0] in ' \t':
            if last != 'ciphertext' or not _BASE64.fullmatch(line.strip()):
                raise SealingError('%s: line %d: unexpected indented text' % (source, number))
            fields[last] += line.strip()
            continue
        match = _LINE.fullmatch(line.rstrip())
        if not match or match.group('name') not in _FIELDS or not match.group('value'):
            raise SealingError('%s: line %d is not one of %s with a value' % (source, number, ', '.join(_FIELDS)))
        last = match.group('name')
        if last in fields:
            raise SealingError('%s: line %d repeats %s' % (source, number, last))
        fields[last] = match.group('value')
    return fields


def key_uri(key_id, region):
    """The URI dump() writes by default: Tink's form with the region."""
    return tink_uri(key_id, region)
