# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tink-Python's key URI, scw-kms://<uuid>, next to tink-go's scw-kms://regions/<region>/keys/<uuid>."""

from __future__ import annotations

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils._keyref import (
    KeyRef, KeyRefError, parse_key_id, parse_key_ref, tink_uri,
)

KEY = '9d0ae4f2-276f-44d0-b7f5-7631bdf9680f'


@pytest.mark.parametrize('parse', [parse_key_id, parse_key_ref])
def test_python_tink_form_has_no_region(parse):
    assert parse('scw-kms://%s' % KEY) == KeyRef(KEY, None, None)
    assert parse('scw-kms://%s' % KEY.upper()) == KeyRef(KEY, None, None)


@pytest.mark.parametrize('value', ['scw-kms://%s/' % KEY, 'scw-kms://x%s' % KEY, 'scw-kms://'])
def test_broken_tink_uris_name_both_forms(value):
    with pytest.raises(KeyRefError, match='or scw-kms://<key uuid>'):
        parse_key_ref(value)


def test_tink_uri_round_trips():
    assert tink_uri(KEY, 'nl-ams') == 'scw-kms://regions/nl-ams/keys/%s' % KEY
    assert parse_key_id(tink_uri(KEY, 'nl-ams')) == KeyRef(KEY, None, 'nl-ams')


def test_id_forms_mention_the_short_form():
    with pytest.raises(KeyRefError, match=r'also scw-kms://<uuid>'):
        parse_key_id('nope')
