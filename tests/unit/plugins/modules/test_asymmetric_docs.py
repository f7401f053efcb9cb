# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The documentation of the public-key, signing and verification modules agrees with the code's one source."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.scwkms.key_manager.plugins.doc_fragments.algorithm import ModuleDocFragment as AlgorithmDoc
from ansible_collections.scwkms.key_manager.plugins.module_utils import _algorithms, _digest, _pem
from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_public_key, scwkms_sign, scwkms_verify

MODULES = (scwkms_public_key, scwkms_sign, scwkms_verify)


def choices(fragment):
    return yaml.safe_load(fragment)['options']['algorithm']['choices']


def test_algorithm_fragments_are_the_table():
    assert tuple(choices(AlgorithmDoc.DOCUMENTATION)) == _algorithms.ALGORITHMS
    assert tuple(choices(AlgorithmDoc.SIGNING)) == _algorithms.SIGNING_ALGORITHMS


@pytest.mark.parametrize('module', [scwkms_sign, scwkms_verify])
def test_signing_modules_offer_the_signing_algorithms_as_choices(module):
    assert tuple(module.argument_spec()['algorithm']['choices']) == _algorithms.SIGNING_ALGORITHMS
    assert 'scwkms.key_manager.algorithm.signing' in yaml.safe_load(module.DOCUMENTATION)['extends_documentation_fragment']


def test_derived_facts():
    assert _digest.EC_COORDINATE_SIZES == {'ec_p256_sha256': 32, 'ec_p384_sha384': 48}
    assert [_digest.hash_name(name) for name in _algorithms.SIGNING_ALGORITHMS].count('sha384') == 1
    assert _pem.JWK_ALG['rsa_oaep_4096_sha256'] == ('RSA-OAEP-256', 'enc') and 'ml_dsa_44' not in _pem.JWK_ALG
    assert len(_algorithms.ALGORITHMS) == 17 and len(_algorithms.SIGNING_ALGORITHMS) == 11


def test_identity_return_values_are_documented_alike():
    documented = [dict((name, spec) for name, spec in yaml.safe_load(module.RETURN).items()
                       if name in ('key_id', 'region', 'kms_uri')) for module in MODULES]
    assert all(len(entry) == 3 for entry in documented) and documented[1:] == documented[:-1]


def test_digest_return_values_are_documented_alike():
    documented = [dict((name, spec) for name, spec in yaml.safe_load(module.RETURN).items()
                       if name in ('digest', 'digest_algorithm')) for module in (scwkms_sign, scwkms_verify)]
    assert len(documented[0]) == 2 and documented[0] == documented[1]


@pytest.mark.parametrize('module', MODULES)
def test_one_line_return_entries_parse_as_intended(module):
    for name, spec in yaml.safe_load(module.RETURN).items():
        assert set(spec) <= {'description', 'returned', 'type', 'sample', 'elements', 'contains'}, (name, spec)
