# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one declaration of the connection options against what is built from it and what documents it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.scwkms.key_manager.plugins.doc_fragments.api import ModuleDocFragment
from ansible_collections.scwkms.key_manager.plugins.lookup import scwkms_public_key
from ansible_collections.scwkms.key_manager.plugins.module_utils._module import api_argument_spec
from ansible_collections.scwkms.key_manager.plugins.module_utils._options import BY_NAME, NAMES, OPTIONS

ANSIBLE_DOC = os.path.join(os.path.dirname(sys.executable), 'ansible-doc')


def fragment(variant):
    return yaml.safe_load(getattr(ModuleDocFragment, variant))


def test_argument_spec_types_defaults_and_no_log():
    spec = api_argument_spec()
    assert list(spec) == list(NAMES)
    assert sorted(name for name, entry in spec.items() if entry.get('no_log')) == ['access_key', 'secret_key']
    assert dict((name, entry['default']) for name, entry in spec.items() if 'default' in entry) == {
        'timeout': 30.0, 'max_retries': 5, 'retry_deadline': 120.0, 'validate_certs': True}
    assert all(spec[option.name]['type'] == option.type for option in OPTIONS)


def test_module_variant_documents_every_option_once_as_declared():
    options = fragment('DOCUMENTATION')['options']
    assert list(options) == list(NAMES)
    for option in OPTIONS:
        doc = options[option.name]
        text = ' '.join(doc['description'])
        assert (doc['type'], doc.get('default')) == (option.type, option.default), option.name
        assert not set(doc) - {'description', 'type', 'default'}, option.name
        assert ('Never logged' in text) == (option.name == 'secret_key'), option.name
        for source in (option.env and 'E(%s)' % option.env, option.config_key and 'C(%s)' % option.config_key,
                       option.fallback and 'V(%s)' % option.fallback):
            assert not source or source in text, (option.name, source)


def test_plugins_variant_only_adds_the_variables():
    options = fragment('PLUGINS')['options']
    assert list(options) == list(NAMES)
    for option in OPTIONS:
        assert options[option.name] == {'vars': [{'name': option.var}]}
    assert not hasattr(ModuleDocFragment, 'PLUGIN')


def test_ansible_core_merges_the_plugins_variant_into_each_option(monkeypatch):
    from ansible.utils.plugin_docs import add_fragments

    class Loader(object):
        @staticmethod
        def get(name):
            return ModuleDocFragment if name == 'scwkms.key_manager.api' else None
    monkeypatch.setattr(ModuleDocFragment, 'ansible_name', 'scwkms.key_manager.api', raising=False)
    doc = {'options': {'format': {'description': 'x', 'type': 'str'}},
           'extends_documentation_fragment': ['scwkms.key_manager.api', 'scwkms.key_manager.api.plugins']}
    add_fragments(doc, os.path.abspath(scwkms_public_key.__file__), Loader())
    documented = fragment('DOCUMENTATION')['options']
    for option in OPTIONS:
        assert doc['options'][option.name] == dict(documented[option.name], vars=[{'name': option.var}])
    assert 'format' in doc['options'] and len(doc['notes']) == 2


@pytest.mark.skipif(not os.path.exists(ANSIBLE_DOC), reason='ansible-doc is not next to this Python')
def test_the_lookup_reads_variables_and_never_the_environment_itself():
    """The config manager would read SCW_* a second time, and call it an option in error messages."""
    collections = os.path.abspath(scwkms_public_key.__file__).rsplit(os.sep + 'ansible_collections', 1)[0]
    result = subprocess.run([ANSIBLE_DOC, '-t', 'lookup', '--json', 'scwkms.key_manager.scwkms_public_key'],
                            env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections), capture_output=True,
                            text=True, timeout=120, check=True)
    options = json.loads(result.stdout)['scwkms.key_manager.scwkms_public_key']['doc']['options']
    for name in NAMES:
        assert options[name]['vars'] == [{'name': BY_NAME[name].var}], name
        assert 'env' not in options[name], name
        assert options[name].get('default') == BY_NAME[name].default, name
