# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Key references: how a playbook names a key. Private to this collection."""

from __future__ import annotations

import re
from collections import namedtuple

from ._errors import UserError

REGIONS = ('fr-par', 'nl-ams', 'pl-waw')

_UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
# step-ca / step-kms-plugin form: scwkms:key-id=<uuid>;region=<region> (attributes in any order).
_STEP_URI = re.compile(r'^scwkms:(?P<attrs>.*)$')
# Tink form: scw-kms://regions/<region>/keys/<uuid>
_TINK_URI = re.compile(r'^scw-kms://regions/(?P<region>[^/]+)/keys/(?P<key_id>[^/]+)$')

KeyRef = namedtuple('KeyRef', ['key_id', 'name', 'region'])
"""Exactly one of key_id and name is set; region is None when the reference does not carry one."""


class KeyRefError(UserError):
    pass


def is_uuid(value):
    return bool(value) and bool(_UUID.match(str(value)))


def validate_region(region, option='region'):
    if region not in REGIONS:
        raise KeyRefError('%s: %r is not a Key Manager region; use one of %s' % (option, region, ', '.join(REGIONS)))
    return region


def parse_key_ref(ref, option='key'):
    """Parse a UUID, a step-ca URI, a Tink URI, or else treat the text as a key name."""
    text = str(ref or '').strip()
    if not text:
        raise KeyRefError('%s: a key reference cannot be empty' % option)
    if is_uuid(text):
        return KeyRef(text.lower(), None, None)
    match = _STEP_URI.match(text)
    if match:
        return _parse_step_uri(match.group('attrs'), text, option)
    if text.startswith('scw-kms://'):
        match = _TINK_URI.match(text)
        if not match or not is_uuid(match.group('key_id')):
            raise KeyRefError('%s: %r is not a valid Tink key URI; expected scw-kms://regions/<region>/keys/<key uuid>' % (option, text))
        return KeyRef(match.group('key_id').lower(), None, validate_region(match.group('region'), option))
    return KeyRef(None, text, None)


def _parse_step_uri(attrs, text, option):
    values = {}
    for part in filter(None, attrs.split(';')):
        name, sep, value = part.partition('=')
        if not sep:
            raise KeyRefError('%s: %r is not a valid scwkms URI; expected scwkms:key-id=<key uuid>;region=<region>' % (option, text))
        values[name.strip()] = value.strip()
    key_id = values.get('key-id')
    if not is_uuid(key_id):
        raise KeyRefError('%s: %r has no valid key-id; expected scwkms:key-id=<key uuid>;region=<region>' % (option, text))
    region = values.get('region')
    return KeyRef(key_id.lower(), None, validate_region(region, option) if region else None)


def kms_uri(key_id, region):
    """The step-ca / step-kms-plugin form, ready for step-ca's ca.json."""
    return 'scwkms:key-id=%s;region=%s' % (key_id, region)
