# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one lenient base64 decoder of the public-key, signing and verification code. Private.

Lenient because people paste base64 from JWS (URL-safe, unpadded), PEM bodies (wrapped) and shell
output (trailing newline); strict about the characters, so a typo is an error, not silent garbage.
"""

from __future__ import annotations

import base64
import binascii


def lenient_b64decode(text):
    """Bytes from standard or URL-safe base64, padding optional, whitespace ignored; ValueError otherwise."""
    value = ''.join((text or '').split())
    try:
        padded = (value + '=' * (-len(value) % 4)).encode('ascii')
        if '-' in value or '_' in value:
            padded = padded.replace(b'-', b'+').replace(b'_', b'/')
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError(str(exc))
