# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's errors, and redact(), which scrubs secrets from what they say. Private.

A UserError's message already names the option at fault and what is accepted; a KeyManagerError
names the API call that failed. module_errors() (modules) and lookup_errors() (plugins) report both
as they are, in one place each.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

MASK = '********'

# Shorter values would mask ordinary words of a message; no credential or key material is this short.
MIN_SECRET_LENGTH = 6


class UserError(ValueError):
    pass


class KeyManagerError(Exception):
    """A failed API call. str() and to_dict() name the call and the API's reason; the client passes
    every instance it raises through redact() first."""

    def __init__(self, message, method=None, path=None, status=None, error_type=None, details=None):
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.error_type = error_type
        self.details = details or {}

    def __str__(self):
        where = f'{self.method} {self.path}: ' if self.method else ''
        status = f'HTTP {self.status} ' if self.status else ''
        kind = f'{self.error_type}: ' if self.error_type else ''
        return f'{where}{status}{kind}{self.message}'

    def to_dict(self):
        return {'method': self.method, 'path': self.path, 'status': self.status,
                'type': self.error_type, 'message': self.message, 'details': self.details}

    def redact(self, secrets):
        """Scrub the secrets from the message and the details, in place; returns self."""
        self.message = redact(self.message, secrets)
        self.details = redact(self.details, secrets)
        self.args = (self.message,)
        return self


def secret_spellings(value):
    """The texts a secret value (str or bytes) shows as in what a task returns: itself (as text, or as
    Python writes bytes that are not UTF-8) and stripped of surrounding whitespace, each also in base64,
    standard, unpadded and URL-safe. The client scrubs them from its errors (add_secret) and modules
    mask them in their results (_module.mask)."""
    raw = value.encode('utf-8', 'surrogateescape') if isinstance(value, str) else bytes(value)
    spellings = set()
    for data in (raw, raw.strip()):
        encoded = base64.b64encode(data).decode('ascii')
        spellings.update((encoded, encoded.rstrip('='), encoded.replace('+', '-').replace('/', '_').rstrip('=')))
        try:
            spellings.add(data.decode('utf-8'))
        except UnicodeDecodeError:
            spellings.add(repr(data)[2:-1])
    return spellings


def secret_forms(secret):
    """The spellings a secret takes in error texts: as it is and stripped of surrounding whitespace,
    each also repr-escaped (requests quotes a bad header with repr), JSON-escaped and URL-quoted."""
    forms = set()
    for value in (secret, secret.strip()):
        forms.update((value, repr(value)[1:-1], json.dumps(value)[1:-1],
                      json.dumps(value, ensure_ascii=False)[1:-1], quote(value, safe=''), quote_plus(value)))
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


def redact(value, secrets):
    """value (a str, or dicts, lists and tuples of them) with every form of every secret (str) masked.
    Longer forms go first, so an escaped form is masked whole rather than around its raw part."""
    forms = sorted({form for secret in secrets if secret for form in secret_forms(secret)}, key=len, reverse=True)
    return _masked(value, forms) if forms else value


def _masked(value, forms):
    if isinstance(value, str):
        for form in forms:
            value = value.replace(form, MASK)
        return value
    if isinstance(value, dict):
        return {_masked(key, forms): _masked(item, forms) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_masked(item, forms) for item in value)
    return value
