# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils._keyref import KeyRef, KeyRefError, kms_uri, parse_key_ref

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
