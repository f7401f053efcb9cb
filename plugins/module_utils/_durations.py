# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Durations and timestamps as Key Manager and humans write them. Private to this collection."""

from __future__ import annotations

import datetime
import math
import re

from ._errors import UserError

# Bounds of rotation_policy.rotation_period, from the API docs (24 h .. 876000 h = 100 years).
MIN_ROTATION_PERIOD = 24 * 3600
MAX_ROTATION_PERIOD = 876000 * 3600
# Far beyond any useful duration, and within what datetime arithmetic can add to a date.
MAX_DURATION = 10000 * 365 * 86400

_UNIT_SECONDS = {
    's': 1,
    'm': 60,
    'h': 3600,
    'd': 86400,
    'w': 7 * 86400,
    # A year is 365 days, as the API docs count 876000 h as 100 years.
    'y': 365 * 86400,
}
_PART = re.compile(r'(\d+(?:\.\d+)?)([smhdwy])')
_WHOLE = re.compile(r'^(?:\d+(?:\.\d+)?[smhdwy])+$')
_PROTO = re.compile(r'^(-?\d+)(?:\.(\d{1,9}))?s$')


class DurationError(UserError):
    pass


def parse_duration(value, option='duration'):
    """Return whole seconds for 3600, '3600', '30d', '720h', '1y', '1d12h' or a protobuf '86400.000s'."""
    if isinstance(value, bool):
        raise DurationError('%s: expected a duration such as 30d, 720h, 1y or a number of seconds, got %r' % (option, value))
    if isinstance(value, (int, float)):
        seconds = value
    else:
        text = str(value).strip().lower().replace(' ', '')
        if re.match(r'^\d+(\.\d+)?$', text):
            seconds = float(text)
        elif _PROTO.match(text):
            seconds = float(text[:-1])
        elif text and _WHOLE.match(text):
            seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in _PART.findall(text))
        else:
            raise DurationError(
                '%s: cannot parse %r as a duration; use a number of seconds or a number with a unit '
                '(s, m, h, d, w, y), for example 30d, 720h, 1y or 1d12h' % (option, value))
    if seconds < 0:
        raise DurationError('%s: a duration cannot be negative, got %r' % (option, value))
    if (isinstance(seconds, float) and math.isnan(seconds)) or seconds > MAX_DURATION:
        raise DurationError('%s: %r is too long a duration; the longest accepted is 10000y' % (option, value))
    return int(seconds)


def validate_rotation_period(seconds, option='rotation_period'):
    if not MIN_ROTATION_PERIOD <= seconds <= MAX_ROTATION_PERIOD:
        raise DurationError(
            '%s: must be between 24h and 876000h (100 years), got %s' % (option, format_duration(seconds)))
    return seconds


def to_proto_duration(seconds):
    return '%ds' % int(seconds)


def from_proto_duration(text):
    """'2592000s' or '2592000.000000000s' -> 2592000; None stays None."""
    if text is None:
        return None
    match = _PROTO.match(str(text))
    if not match:
        raise DurationError('unexpected duration from the API: %r' % (text,))
    return int(match.group(1))


def format_duration(seconds):
    """Shortest exact human form: 2592000 -> '30d', 90000 -> '25h', 31536000 -> '365d'."""
    if seconds is None:
        return None
    seconds = int(seconds)
    for unit, size in (('d', 86400), ('h', 3600), ('m', 60)):
        if seconds and seconds % size == 0:
            return '%d%s' % (seconds // size, unit)
    return '%ds' % seconds


def parse_timestamp(text):
    """RFC 3339 with any fraction length (0 to 9 digits) and Z or an offset -> aware datetime in UTC."""
    if text is None:
        return None
    if isinstance(text, datetime.datetime):
        return text if text.tzinfo else text.replace(tzinfo=datetime.timezone.utc)
    match = re.match(r'^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:?\d{2})?$', str(text).strip())
    if not match:
        raise ValueError('not an RFC 3339 timestamp: %r' % (text,))
    date, clock, fraction, zone = match.groups()
    micro = (fraction or '0')[:6].ljust(6, '0')
    offset = '+00:00' if zone in (None, 'Z', 'z') else (zone if ':' in zone else zone[:3] + ':' + zone[3:])
    parsed = datetime.datetime.strptime('%sT%s.%s%s' % (date, clock, micro, offset.replace(':', '')), '%Y-%m-%dT%H:%M:%S.%f%z')
    return parsed.astimezone(datetime.timezone.utc)


def format_timestamp(moment):
    """Aware datetime -> '2027-01-01T00:00:00Z' (microseconds only when present)."""
    moment = moment.astimezone(datetime.timezone.utc)
    if moment.microsecond:
        return moment.strftime('%Y-%m-%dT%H:%M:%S.%fZ')
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)
