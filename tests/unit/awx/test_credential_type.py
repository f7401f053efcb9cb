# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The AWX credential type shipped in extensions/awx/credential_types/scwkms.yml, checked against AWX's
rules (awx_rules.py) and rendered as AWX renders it, then read by the collection's resolver."""

from __future__ import annotations

import copy
import pathlib
import uuid

import pytest
import yaml

from ansible_collections.scwkms.key_manager.plugins.module_utils._credentials import resolve_settings
from ansible_collections.scwkms.key_manager.tests.unit.awx.awx_rules import definition_errors, render_env

COLLECTION_ROOT = pathlib.Path(__file__).resolve().parents[3]
DEFINITION_PATH = COLLECTION_ROOT / 'extensions' / 'awx' / 'credential_types' / 'scwkms.yml'
INJECTED = ('SCW_ACCESS_KEY', 'SCW_SECRET_KEY', 'SCW_DEFAULT_PROJECT_ID', 'SCW_DEFAULT_ORGANIZATION_ID',
            'SCW_DEFAULT_REGION', 'SCW_API_URL')
ACCESS_KEY = 'SCWABCDEFGHIJKLMNOPQ'


def load_definition():
    return yaml.safe_load(DEFINITION_PATH.read_text(encoding='utf-8'))


def full_values():
    return {'access_key': ACCESS_KEY, 'secret_key': str(uuid.uuid4()), 'project_id': str(uuid.uuid4()),
            'organization_id': str(uuid.uuid4()), 'region': 'nl-ams', 'api_url': 'https://kms.example.test'}


def test_the_definition_follows_awx_rules():
    definition = load_definition()
    assert definition_errors(definition) == []
    assert definition['kind'] == 'cloud'
    assert set(definition) == {'name', 'description', 'kind', 'inputs', 'injectors'}  # awx.awx.credential_type options
    fields = dict((field['id'], field) for field in definition['inputs']['fields'])
    assert list(fields) == ['access_key', 'secret_key', 'project_id', 'organization_id', 'region', 'api_url']
    assert [name for name, field in fields.items() if field.get('secret')] == ['secret_key']
    assert fields['region']['choices'] == ['fr-par', 'nl-ams', 'pl-waw']
    assert 'api_url' not in definition['inputs']['required']
    assert tuple(definition['injectors']['env']) == INJECTED


@pytest.mark.parametrize('breakage, message', [
    (lambda d: d.update(kind='vault'), "Must be 'cloud' or 'net'"),
    (lambda d: d['injectors']['env'].update(ANSIBLE_CONFIG='{{ api_url }}'), 'ANSIBLE_CONFIG may affect'),
    (lambda d: d['injectors']['env'].update(PATH='{{ api_url }}'), 'PATH may affect'),
    (lambda d: d['injectors']['env'].update(SCW_PROFILE='{{ profile }}'), "'profile' is undefined"),
    (lambda d: d['inputs']['fields'][0].update(id='access-key'), 'not a valid field id'),
    (lambda d: d['inputs']['fields'][0].update(type='integer'), "type 'integer'"),
    (lambda d: d['inputs']['fields'][0].update(ask_at_runtime=True), 'ask_at_runtime'),
    (lambda d: d['inputs']['fields'].append({'id': 'region', 'label': 'again'}), 'unique'),
])
def test_the_rules_catch_what_awx_refuses(breakage, message):
    # The checker must fail on what AWX refuses, or its silence on the real definition proves nothing.
    definition = copy.deepcopy(load_definition())
    breakage(definition)
    assert any(message in error for error in definition_errors(definition)), definition_errors(definition)


def test_injectors_render_every_input_into_its_variable():
    values = full_values()
    environ = render_env(load_definition(), values)
    assert environ == dict(zip(INJECTED, (values['access_key'], values['secret_key'], values['project_id'],
                                          values['organization_id'], values['region'], values['api_url'])))
    settings = resolve_settings({}, dict(environ, HOME='/nonexistent'))
    assert (settings.secret_key, settings.region, settings.api_url) == (values['secret_key'], 'nl-ams', values['api_url'])
    assert settings.origins['secret_key'] == 'environment variable SCW_SECRET_KEY'


def test_blank_optional_fields_render_as_empty_strings_that_the_resolver_treats_as_unset(tmp_path):
    # AWX sets the variable of a blank field to "": the config file's value, then the fallback, must win.
    config = tmp_path / 'config.yaml'
    organization = str(uuid.uuid4())
    config.write_text('default_organization_id: %s\ndefault_region: pl-waw\n' % organization, encoding='utf-8')
    values = dict((name, full_values()[name]) for name in ('access_key', 'secret_key', 'project_id'))
    environ = render_env(load_definition(), dict(values, organization_id='', api_url=''))
    assert environ['SCW_DEFAULT_ORGANIZATION_ID'] == environ['SCW_API_URL'] == environ['SCW_DEFAULT_REGION'] == ''
    settings = resolve_settings({}, dict(environ, HOME='/nonexistent', SCW_CONFIG_PATH=str(config)))
    assert settings.organization_id == organization
    assert settings.region == 'pl-waw'
    assert settings.api_url == 'https://api.scaleway.com'
    assert resolve_settings({}, dict(environ, HOME='/nonexistent')).region == 'fr-par'


def test_the_guide_shows_the_shipped_definition():
    guide = (COLLECTION_ROOT / 'docs' / 'docsite' / 'rst' / 'guide_awx.rst').read_text(encoding='utf-8')
    block = guide.split('.. code-block:: yaml\n\n', 1)[1].split('\n\n', 1)[0]
    shown = yaml.safe_load(block)
    definition = load_definition()
    for field in definition['inputs']['fields']:
        del field['help_text']  # the guide leaves the help texts out
    assert shown == dict((key, definition[key]) for key in ('name', 'kind', 'inputs', 'injectors'))
