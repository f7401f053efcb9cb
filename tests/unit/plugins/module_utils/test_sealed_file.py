# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sealed text file: what dump() writes, what load() accepts, and that YAML reads it the same way."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.scwkms.key_manager.plugins.module_utils import _sealed_file
from ansible_collections.scwkms.key_manager.plugins.module_utils._keyref import KeyRefError, parse_key_id
from ansible_collections.scwkms.key_manager.plugins.module_utils._sealing import SealingError

KEY = '9d0ae4f2-276f-44d0-b7f5-7631bdf9680f'
URI = 'scw-kms://regions/fr-par/keys/%s' % KEY


@pytest.mark.parametrize('size', [1, 10, 57, 58, 200, 5000])
def test_dump_then_load_and_yaml_agree(size):
    ciphertext = os.urandom(size)
    text = _sealed_file.dump(URI, ciphertext)
    assert text.startswith(_sealed_file.HEADER + '\nscwkms_sealed: 1\nkey: %s\nciphertext: ' % URI)
    assert all(len(line) <= 100 for line in text.splitlines()[1:])
    assert all(len(line) <= 76 for line in text.splitlines()[3:])
    assert _sealed_file.load(text, 'f.yml') == (URI, ciphertext)
    assert _sealed_file.is_sealed_text(text)
    parsed = yaml.safe_load(text)
    assert (parsed['scwkms_sealed'], parsed['key']) == (1, URI)
    assert _sealed_file.load(_sealed_file.dump(URI, ciphertext), 'x').ciphertext == ciphertext
    import base64
    assert base64.b64decode(parsed['ciphertext'].replace(' ', '')) == ciphertext


def test_comment_and_every_key_form():
    text = _sealed_file.dump(KEY, b'\x01abc', comment='vars for prod\nsecond line')
    assert '# vars for prod\n# second line\nscwkms_sealed: 1\nkey: %s\n' % KEY in text
    for key in (KEY, 'scw-kms://%s' % KEY, 'scwkms:key-id=%s;region=nl-ams' % KEY, URI):
        assert _sealed_file.load(_sealed_file.dump(key, b'x'), 's').key == key
    assert _sealed_file.key_uri(KEY, 'pl-waw') == 'scw-kms://regions/pl-waw/keys/%s' % KEY
    assert parse_key_id(_sealed_file.key_uri(KEY, 'pl-waw')).region == 'pl-waw'
    with pytest.raises(KeyRefError, match='is not a key id'):
        _sealed_file.dump('my-key', b'x')


@pytest.mark.parametrize('text, message', [
    ('', 'scwkms_sealed, key, ciphertext missing'),
    ('scwkms_sealed: 1\nkey: %s\n' % URI, 'ciphertext missing'),
    ('scwkms_sealed: 2\nkey: %s\nciphertext: AQID\n' % URI, 'version 2 is not supported'),
    ('scwkms_sealed: 1\nkey: nope\nciphertext: AQID\n', "'nope' is not a key id"),
    ('scwkms_sealed: 1\nkey: %s\nciphertext: AQ!D\n' % URI, 'not valid base64'),
    ('scwkms_sealed: 1\nkey: %s\nciphertext: AQID\nextra: 1\n' % URI, 'line 4 is not one of'),
    ('scwkms_sealed: 1\nkey: %s\nkey: %s\nciphertext: AQID\n' % (URI, URI), 'line 3 repeats key'),
    ('scwkms_sealed: 1\n  AQID\nkey: %s\nciphertext: AQID\n' % URI, 'line 2: unexpected indented text'),
    ('scwkms_sealed: 1\nkey: %s\nciphertext: |\n  AQID\n' % URI, 'not valid base64|unexpected'),
    ('scwkms_sealed: 1\nkey: %s\nciphertext: AQID\n  a b\n' % URI, 'line 4: unexpected indented text'),
    ('scwkms_sealed: 1\nkey: %s\nciphertext:\n' % URI, 'line 3 is not one of'),
    ('- a list\n', 'line 1 is not one of'),
])
def test_load_refuses_anything_else_naming_the_source(text, message):
    with pytest.raises(SealingError, match=message) as error:
        _sealed_file.load(text, 'group_vars/all/secret.yml')
    assert str(error.value).startswith('group_vars/all/secret.yml: ')


@pytest.mark.parametrize('text, expected', [
    ('# comment\n\nscwkms_sealed: 1\n', True),
    ('scwkms_sealed: 12  \n', True),
    ('key: x\nscwkms_sealed: 1\n', False),
    ('$ANSIBLE_VAULT;1.1;AES256\n6131', False),
    ('', False),
    (None, False),
])
def test_is_sealed_text(text, expected):
    assert _sealed_file.is_sealed_text(text) is expected
