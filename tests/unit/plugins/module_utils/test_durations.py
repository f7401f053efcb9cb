# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import datetime

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils._durations import (
    DurationError, format_duration, format_timestamp, from_proto_duration, parse_duration, parse_timestamp,
    to_proto_duration, validate_rotation_period,
)


@pytest.mark.parametrize('value, seconds', [
    (3600, 3600), ('3600', 3600), ('30d', 2592000), ('720h', 2592000), ('1y', 31536000), ('1d12h', 129600),
    ('2w', 1209600), ('90m', 5400), ('45s', 45), (' 30D ', 2592000), ('2592000.000000000s', 2592000), (1.5, 1),
])
def test_parse_duration_accepts_human_and_protobuf_forms(value, seconds):
    assert parse_duration(value) == seconds


@pytest.mark.parametrize('value', ['', 'soon', '30x', '-5', 'd30', True, '1.2.3h'])
def test_parse_duration_rejects_garbage_naming_the_option(value):
    with pytest.raises(DurationError) as error:
        parse_duration(value, 'rotate_if_older_than')
    assert str(error.value).startswith('rotate_if_older_than: ')


@pytest.mark.parametrize('value', ['9' * 400, '9' * 400 + 'y', '1' + '0' * 320 + 'd', float('inf'), float('nan'),
                                   10 ** 400, '10001y'])
def test_huge_durations_fail_naming_the_option(value):
    with pytest.raises(DurationError, match=r'^rotation_policy.rotation_period: .* is too long a duration; the longest '
                                            r'accepted is 10000y'):
        parse_duration(value, 'rotation_policy.rotation_period')


def test_the_longest_duration_is_accepted():
    assert parse_duration('10000y') == 10000 * 365 * 86400


def test_rotation_period_bounds_are_inclusive():
    assert validate_rotation_period(24 * 3600) == 86400
    assert validate_rotation_period(876000 * 3600) == 3153600000
    with pytest.raises(DurationError, match=r'rotation_period: must be between 24h and 876000h \(100 years\), got 23h'):
        validate_rotation_period(23 * 3600)
    with pytest.raises(DurationError, match='between 24h and 876000h'):
        validate_rotation_period(876001 * 3600)


def test_proto_durations_round_trip():
    assert to_proto_duration(2592000) == '2592000s'
    assert from_proto_duration('2592000s') == 2592000
    assert from_proto_duration('3153600000.000000000s') == 3153600000
    assert from_proto_duration(None) is None
    with pytest.raises(DurationError):
        from_proto_duration('720h')


@pytest.mark.parametrize('seconds, text', [(2592000, '30d'), (90000, '25h'), (90, '90s'), (120, '2m'), (0, '0s')])
def test_format_duration_is_shortest_exact(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize('text', [
    '2027-01-01T00:00:00Z', '2026-07-07T07:46:06.350Z', '2026-07-07T07:46:06.350936Z',
    '2026-07-07T07:46:08.576401298Z', '2026-07-07T09:46:06.350936+02:00',
])
def test_parse_timestamp_accepts_any_fraction_length(text):
    moment = parse_timestamp(text)
    assert moment.tzinfo is not None
    assert moment.utcoffset() == datetime.timedelta(0)
    assert moment.year in (2026, 2027)


def test_nanoseconds_are_truncated_to_microseconds():
    assert parse_timestamp('2026-07-07T07:46:08.576401298Z').microsecond == 576401
    assert format_timestamp(parse_timestamp('2026-07-07T07:46:08.576401298Z')) == '2026-07-07T07:46:08.576401Z'
    assert format_timestamp(parse_timestamp('2027-01-01T00:00:00Z')) == '2027-01-01T00:00:00Z'


def test_parse_timestamp_rejects_garbage():
    with pytest.raises(ValueError):
        parse_timestamp('tomorrow')
