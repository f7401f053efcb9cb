# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils._keyref import (
    KeyRef, KeyRefError, kms_uri, parse_key_id, parse_key_ref, validate_name,
)

KEY = '9d0ae4f2-276f-44d0-b7f5-7631bdf9680f'


@pytest.mark.parametrize('ref, expected', [
    (KEY, KeyRef(KEY, None, None)),
    (KEY.upper(), KeyRef(KEY, None, None)),
    ('scwkms:key-id=%s;region=nl-ams' % KEY, KeyRef(KEY, None, 'nl-ams')),
    ('scwkms:region=pl-waw;key-id=%s' % KEY, KeyRef(KEY, None, 'pl-waw')),
    ('scwkms:key-id=%s' % KEY, KeyRef(KEY, None, None)),
    ('scw-kms://regions/fr-par/keys/%s' % KEY, KeyRef(KEY, None, 'fr-par')),
    ('billing-data', KeyRef(None, 'billing-data', None)),
])
def test_every_reference_form(ref, expected):
    assert parse_key_ref(ref) == expected


@pytest.mark.parametrize('ref, message', [
    ('', 'cannot be empty'),
    ('scwkms:key-id=nope;region=fr-par', 'has no valid key-id'),
    ('scwkms:key-id=%s;region=us-east' % KEY, "'us-east' is not a Key Manager region; use one of fr-par, nl-ams, pl-waw"),
    ('scw-kms://regions/fr-par/keys/nope', 'not a valid Tink key URI'),
    ('scw-kms://keys/%s' % KEY, 'not a valid Tink key URI'),
    ('scwkms:garbage', 'not a valid scwkms URI'),
])
def test_bad_references_name_the_problem(ref, message):
    with pytest.raises(KeyRefError) as error:
        parse_key_ref(ref, 'key')
    assert message in str(error.value)
    assert str(error.value).startswith('key: ')


def test_kms_uri_is_the_step_ca_form_and_parses_back():
    uri = kms_uri(KEY, 'fr-par')
    assert uri == 'scwkms:key-id=%s;region=fr-par' % KEY
    assert parse_key_ref(uri) == KeyRef(KEY, None, 'fr-par')


@pytest.mark.parametrize('value, name_hint', [
    (KEY[:-1], False),                      # a UUID missing a character
    ('{%s}' % KEY, False),                  # braces, as some tools print UUIDs
    ('urn:uuid:%s' % KEY, False),
    ('billing-data', True),                 # a name given as key_id
    ('my key', True),
    ('', False),
])
def test_key_id_accepts_only_ids(value, name_hint):
    with pytest.raises(KeyRefError) as error:
        parse_key_id(value)
    message = str(error.value)
    assert message.startswith('key_id: ')
    assert 'a key UUID, scwkms:key-id=<uuid>;region=<region> (step-ca) or scw-kms://regions/<region>/keys/<uuid>' in message
    assert ('use name' in message) == name_hint


@pytest.mark.parametrize('value, expected', [
    (KEY, KeyRef(KEY, None, None)),
    (' %s\n' % KEY.upper(), KeyRef(KEY, None, None)),
    ('scwkms:key-id=%s;region=nl-ams' % KEY, KeyRef(KEY, None, 'nl-ams')),
    ('scw-kms://regions/pl-waw/keys/%s' % KEY, KeyRef(KEY, None, 'pl-waw')),
])
def test_key_id_forms(value, expected):
    assert parse_key_id(value) == expected


def test_key_id_option_name_is_reported():
    with pytest.raises(KeyRefError, match=r"^key: 'x' is not a key id"):
        parse_key_id('x', option='key')


@pytest.mark.parametrize('value', [KEY[:-1], '{%s}' % KEY, KEY + 'a', 'urn:uuid:%s' % KEY, 'https://example/keys/%s' % KEY])
def test_reference_refuses_broken_ids_instead_of_taking_them_as_names(value):
    with pytest.raises(KeyRefError, match='looks like a key id but is not one'):
        parse_key_ref(value)


@pytest.mark.parametrize('value', [' billing', 'billing ', 'billing\n', '\tbilling'])
def test_padded_names_are_refused(value):
    with pytest.raises(KeyRefError, match='leading or trailing whitespace'):
        parse_key_ref(value)
    with pytest.raises(KeyRefError, match='^name: .*leading or trailing whitespace'):
        validate_name(value)


@pytest.mark.parametrize('value', ['billing', 'team:billing', 'dead-beef', 'a b'])
def test_plain_names_are_names(value):
    assert parse_key_ref(value) == KeyRef(None, value, None)
    assert validate_name(value) == value


@pytest.mark.parametrize('value', [None, '', '  '])
def test_empty_names_are_refused(value):
    with pytest.raises(KeyRefError, match='^name: a key name cannot be empty'):
        validate_name(value)


@pytest.mark.parametrize('value', [KEY + '\n', ' ' + KEY, KEY + ' ', KEY.upper() + '\n'])
def test_is_uuid_is_a_full_string_match(value):
    from ansible_collections.scwkms.key_manager.plugins.module_utils._keyref import is_uuid
    assert not is_uuid(value) and is_uuid(value.strip())
