# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Key references: how a playbook names a key, checked before any request. Private to this collection.

A value meant as an id that is not one must never fall back to being a name: a name that matches
nothing makes scwkms_key create a key nobody asked for.
"""

from __future__ import annotations

import re
from collections import namedtuple

from ._errors import UserError

REGIONS = ('fr-par', 'nl-ams', 'pl-waw')

_UUID = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
# step-ca / step-kms-plugin form: scwkms:key-id=<uuid>;region=<region> (attributes in any order).
_STEP_URI = re.compile(r'scwkms:(?P<attrs>.*)', re.DOTALL)
# Tink form: scw-kms://regions/<region>/keys/<uuid>
_TINK_URI = re.compile(r'scw-kms://regions/(?P<region>[^/]+)/keys/(?P<key_id>[^/]+)', re.DOTALL)
# What a mistyped id looks like: mostly hex digits and dashes (a character missing or extra), in
# braces or after urn:uuid:, or a key URI scheme. Such a value is refused where a name is accepted too.
_HEXISH = re.compile(r'(urn:uuid:)?[{(]?[0-9a-fA-F-]+[})]?', re.IGNORECASE)
_SCHEME = re.compile(r'(scwkms|scw-kms|urn|https?):', re.IGNORECASE)

ID_FORMS = ('a key UUID, scwkms:key-id=<uuid>;region=<region> (step-ca) or '
            'scw-kms://regions/<region>/keys/<uuid> (Tink; also scw-kms://<uuid>, region from the settings)')

KeyRef = namedtuple('KeyRef', ['key_id', 'name', 'region'])
"""Exactly one of key_id and name is set; region is None when the reference does not carry one."""


class KeyRefError(UserError):
    pass


def is_uuid(value):
    return bool(value) and bool(_UUID.fullmatch(str(value)))


def looks_like_id(text):
    return bool(_SCHEME.match(text)) or (bool(_HEXISH.fullmatch(text)) and len(re.sub('[^0-9a-fA-F]', '', text)) >= 20)


def validate_region(region, option='region'):
    if region not in REGIONS:
        raise KeyRefError('%s: %r is not a Key Manager region; use one of %s' % (option, region, ', '.join(REGIONS)))
    return region


def validate_name(value, option='name'):
    """A key name as given: non-empty and without surrounding whitespace (the API would keep it, and a
    padded name never matches the key meant, so every run would create another)."""
    text = '' if value is None else str(value)
    if not text.strip():
        raise KeyRefError('%s: a key name cannot be empty' % option)
    if text != text.strip():
        raise KeyRefError('%s: %r has leading or trailing whitespace; key names are matched exactly, so remove it'
                          % (option, text))
    return text


def parse_key_id(value, option='key_id'):
    """KeyRef for a UUID or one of the two key URIs; anything else fails, before any request."""
    text = '' if value is None else str(value).strip()
    parsed = _parse_id_forms(text, option)
    if parsed is not None:
        return parsed
    hint = ''
    if text and not looks_like_id(text):
        hint = '; to name a key by its name, use name'
    raise KeyRefError('%s: %r is not a key id; use %s%s' % (option, text, ID_FORMS, hint))


def parse_key_ref(ref, option='key'):
    """KeyRef for a key id (UUID or URI) or a name. A value that looks like a mistyped id, or a name
    with surrounding whitespace, fails rather than being looked up as a name."""
    text = '' if ref is None else str(ref)
    if not text.strip():
        raise KeyRefError('%s: a key reference cannot be empty' % option)
    parsed = _parse_id_forms(text.strip(), option)
    if parsed is not None:
        return parsed
    if looks_like_id(text.strip()):
        raise KeyRefError('%s: %r looks like a key id but is not one; use %s, or a key name'
                          % (option, text, ID_FORMS))
    return KeyRef(None, validate_name(text, option), None)


def _parse_id_forms(text, option):
    if is_uuid(text):
        return KeyRef(text.lower(), None, None)
    match = _STEP_URI.fullmatch(text)
    if match:
        return _parse_step_uri(match.group('attrs'), text, option)
    if text.startswith('scw-kms://'):
        if is_uuid(text[len('scw-kms://'):]):
            # Tink-Python's form names no region: the settings' region applies.
            return KeyRef(text[len('scw-kms://'):].lower(), None, None)
        match = _TINK_URI.fullmatch(text)
        if not match or not is_uuid(match.group('key_id')):
            raise KeyRefError('%s: %r is not a valid Tink key URI; expected scw-kms://regions/<region>/keys/<key uuid> '
                              'or scw-kms://<key uuid>' % (option, text))
        return KeyRef(match.group('key_id').lower(), None, validate_region(match.group('region'), option))
    return None


def _parse_step_uri(attrs, text, option):
    values = {}
    for part in filter(None, attrs.split(';')):
        name, sep, value = part.partition('=')
        if not sep:
            raise KeyRefError('%s: %r is not a valid scwkms URI; expected scwkms:key-id=<key uuid>;region=<region>'
                              % (option, text))
        values[name.strip()] = value.strip()
    key_id = values.get('key-id')
    if not is_uuid(key_id):
        raise KeyRefError('%s: %r has no valid key-id; expected scwkms:key-id=<key uuid>;region=<region>'
                          % (option, text))
    region = values.get('region')
    return KeyRef(key_id.lower(), None, validate_region(region, option) if region else None)


def tink_uri(key_id, region):
    """The Tink form with its region (tink-go-scwkms examples); parse_key_id reads it back."""
    return 'scw-kms://regions/%s/keys/%s' % (region, key_id)


def kms_uri(key_id, region):
    """The step-ca / step-kms-plugin form, ready for step-ca's ca.json."""
    return 'scwkms:key-id=%s;region=%s' % (key_id, region)
