# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""redact(): every spelling a secret can take in an error text is masked."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils._errors import MASK, KeyManagerError, redact
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import SECRET


@pytest.mark.parametrize('secret, shown', [
    (SECRET, 'token %s rejected' % SECRET),
    (SECRET + '\n', "header value: %r" % (SECRET + '\n')),  # requests' InvalidHeader
    (SECRET + '\n', 'body {"token": %s}' % json.dumps(SECRET + '\n')),
    (' p@ss/word? ', 'url ?token=%s' % quote(' p@ss/word? ', safe='')),
    (' p@ss/word? ', 'stripped p@ss/word? here'),
    ('caf\u00e9-secret', json.dumps({'k': 'caf\u00e9-secret'})),
])
def test_every_form_of_the_secret_is_masked(secret, shown):
    masked = redact(shown, [secret])
    assert MASK in masked
    assert secret.strip() not in masked and 'p@ss' not in masked and '\\n' not in masked.replace(MASK, '')


def test_structures_are_masked_throughout_and_other_values_kept():
    details = {'echo': [{'key_material': 'x' + SECRET}], 'count': 3, SECRET: None, 'flag': True}
    assert redact(details, [SECRET]) == {'echo': [{'key_material': 'x' + MASK}], 'count': 3, MASK: None,
                                         'flag': True}


def test_short_or_missing_secrets_mask_nothing():
    assert redact('a b c', ['a', '', None]) == 'a b c'


def test_a_key_manager_error_is_scrubbed_in_place():
    error = KeyManagerError('bad %s' % SECRET, 'GET', '/keys', 400, 'invalid_arguments', {'echo': SECRET})
    assert error.redact([SECRET]) is error
    assert str(error) == 'GET /keys: HTTP 400 invalid_arguments: bad ' + MASK
    assert error.to_dict()['details'] == {'echo': MASK} and error.args == ('bad ' + MASK,)
