# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_wire.b64decode: the collection's one lenient base64 decoder (API answers, PEM bodies, options)."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, strategies as st

from ansible_collections.scwkms.key_manager.plugins.module_utils import _wire


@given(data=st.binary(max_size=64), urlsafe=st.booleans(), padded=st.booleans(), wrap=st.integers(1, 8))
def test_every_lenient_spelling_reads_back(data, urlsafe, padded, wrap):
    text = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode()
    text = text if padded else text.rstrip('=')
    wrapped = '\n'.join(text[index:index + wrap] for index in range(0, len(text), wrap)) + ' \n'
    assert _wire.b64decode(wrapped) == data


@pytest.mark.parametrize('text', [
    'AA+-',          # both alphabets at once
    'AA*A',          # a character of neither alphabet
    'AAE=C',         # padding in the middle
    'AA=====',       # too much padding
    'A',             # a length no base64 has
    'AAÉC',          # non-ASCII
])
def test_what_is_not_base64_is_refused(text):
    with pytest.raises(ValueError):
        _wire.b64decode(text)


def test_no_value_stays_none_and_empty_is_the_empty_message():
    assert _wire.b64decode(None) is None
    assert _wire.b64decode(' \n') == b''


def test_the_other_decoders_are_gone():
    from ansible_collections.scwkms.key_manager.plugins.module_utils import _digest, _pem
    assert _digest.b64decode is _wire.b64decode and _pem.b64decode is _wire.b64decode
    with pytest.raises(ImportError):
        from ansible_collections.scwkms.key_manager.plugins.module_utils import _b64  # noqa: F401 pylint: disable=unused-import
