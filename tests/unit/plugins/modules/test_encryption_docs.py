# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The encryption modules' documentation agrees with their code, and importing them needs no cryptography."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.scwkms.key_manager.plugins.doc_fragments.encryption import ModuleDocFragment
from ansible_collections.scwkms.key_manager.plugins.module_utils import _sealing
from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_data_key, scwkms_decrypt, scwkms_encrypt

MODULES = (scwkms_encrypt, scwkms_decrypt, scwkms_data_key)


def test_algorithm_choices_are_the_sealing_table():
    documented = yaml.safe_load(ModuleDocFragment.ENCRYPT_ALGORITHM)['options']['algorithm']['choices']
    assert tuple(documented) == _sealing.ENCRYPTION_ALGORITHMS
    assert tuple(scwkms_encrypt.argument_spec()['algorithm']['choices']) == _sealing.ENCRYPTION_ALGORITHMS
    assert tuple(scwkms_encrypt.argument_spec()['envelope']['choices']) == _sealing.ENVELOPE_CHOICES


@pytest.mark.parametrize('module', MODULES)
def test_documentation_parses_and_says_what_it_costs(module):
    documentation = yaml.safe_load(module.DOCUMENTATION)
    assert any(note.startswith('What it costs in requests') for note in documentation['notes'])
    assert set(documentation['attributes']) == {'check_mode', 'diff_mode', 'idempotent'}
    yaml.safe_load(module.EXAMPLES)
    yaml.safe_load(module.RETURN)


@pytest.mark.parametrize('module', MODULES)
def test_documented_options_are_the_argument_spec(module):
    documentation = yaml.safe_load(module.DOCUMENTATION)
    options = set(documentation['options'])
    for fragment in documentation['extends_documentation_fragment']:
        if fragment.startswith('scwkms.key_manager.encryption'):
            name = fragment.split('.')[3] if fragment.count('.') == 3 else 'DOCUMENTATION'
            options |= set(yaml.safe_load(getattr(ModuleDocFragment, name.upper()))['options'])
    spec = scwkms_data_key_spec() if module is scwkms_data_key else module.argument_spec()
    assert options == set(spec)


def scwkms_data_key_spec():
    return {'key': None, 'without_plaintext': None}


@pytest.mark.parametrize('name', ['scwkms_encrypt', 'scwkms_decrypt', 'scwkms_data_key'])
def test_importing_the_module_does_not_import_cryptography(name):
    code = ('import json, sys, ansible_collections.scwkms.key_manager.plugins.modules.%s; '
            'print(json.dumps("cryptography" in sys.modules))' % name)
    output = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True,
                            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))).stdout
    assert json.loads(output) is False
