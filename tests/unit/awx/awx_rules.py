# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""AWX's rules for a custom credential type, restated from its source so that a test can apply them
without an AWX server (ansible/awx@e21dd0a0):

* awx/main/fields.py, CredentialTypeInputField.schema and .validate: the allowed field keys, id
  pattern, type and format enums, unique ids, required ids naming fields, no 'dependencies';
* awx/api/serializers.py, CredentialTypeSerializer.validate: kind 'cloud' or 'net' for a custom type,
  no 'ask_at_runtime';
* awx/main/fields.py, CredentialTypeInjectorField: injector kinds file/env/extra_vars, env names and
  ASCII values, validate_env_var_allowed (no ANSIBLE_*, nothing in awx/main/constants.py ENV_BLOCKLIST),
  every template rendered with StrictUndefined and every field set to '';
* awx/main/models/credential.py, CredentialType.inject_credential: the job-time rendering, in an
  ImmutableSandboxedEnvironment whose namespace holds only the fields with a non-empty value.
"""

from __future__ import annotations

import re

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIELD_KEYS = {'type', 'format', 'choices', 'id', 'label', 'help_text', 'multiline', 'secret', 'ask_at_runtime', 'default'}
FIELD_TYPES = {'string', 'boolean'}
FIELD_FORMATS = {'ssh_private_key', 'url'}
NAME = re.compile(r'^[a-zA-Z_]+[a-zA-Z0-9_]*$')
FILE_KEY = re.compile(r'^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$')
ASCII = re.compile(r'^[\x00-\x7F]*$')
ENV_BLOCKLIST = {
    'VIRTUAL_ENV', 'PATH', 'PYTHONPATH', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID', 'INVENTORY_UPDATE_ID',
    'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN', 'MAX_EVENT_RES', 'CALLBACK_QUEUE', 'CALLBACK_CONNECTION',
    'CACHE', 'JOB_CALLBACK_DEBUG', 'INVENTORY_HOSTVARS', 'AWX_HOST', 'PROJECT_REVISION', 'SUPERVISOR_CONFIG_PATH',
}


def input_errors(inputs):
    errors = []
    if set(inputs) - {'fields', 'required'}:
        errors.append('inputs: unknown keys %s' % sorted(set(inputs) - {'fields', 'required'}))
    ids = []
    for field in inputs.get('fields', []):
        errors.extend(field_errors(field))
        ids.append(field.get('id'))
    if len(ids) != len(set(ids)):
        errors.append('field IDs must be unique')
    errors.extend('required field %r is not a field' % name for name in inputs.get('required', []) if name not in ids)
    return errors


def field_errors(field):
    name = field.get('id')
    errors = ['%s: %s is required' % (name, key) for key in ('id', 'label') if key not in field]
    if set(field) - FIELD_KEYS:
        errors.append('%s: unknown keys %s' % (name, sorted(set(field) - FIELD_KEYS)))
    if name is not None and not NAME.match(str(name)):
        errors.append('%r is not a valid field id' % name)
    if field.get('type', 'string') not in FIELD_TYPES:
        errors.append('%s: type %r' % (name, field['type']))
    if 'format' in field and field['format'] not in FIELD_FORMATS:
        errors.append('%s: format %r' % (name, field['format']))
    if 'ask_at_runtime' in field:
        errors.append("%s: 'ask_at_runtime' is not supported for custom credentials" % name)
    if 'choices' in field and 'default' in field and field['default'] not in field['choices']:
        errors.append('%s: default %r is not one of the choices' % (name, field['default']))
    return errors


def injector_errors(injectors, field_ids):
    errors = []
    if set(injectors) - {'file', 'env', 'extra_vars'}:
        errors.append('injectors: unknown keys %s' % sorted(set(injectors) - {'file', 'env', 'extra_vars'}))
    for key in injectors.get('file', {}):
        if not FILE_KEY.match(key):
            errors.append('file injector %r' % key)
    for name, template in injectors.get('env', {}).items():
        if not NAME.match(name) or not isinstance(template, str) or not ASCII.match(template):
            errors.append('env injector %r' % name)
        if name.startswith('ANSIBLE_') or name in ENV_BLOCKLIST:
            errors.append('Environment variable %s may affect Ansible configuration so its use is not allowed in '
                          'credentials.' % name)
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    namespace = dict((field_id, '') for field_id in field_ids)
    for template in templates(injectors):
        try:
            strict.from_string(template).render(namespace)
        except Exception as error:  # pylint: disable=broad-exception-caught
            errors.append('template %r: %s' % (template, error))
    return errors


def templates(injectors):
    for kind in ('file', 'env'):
        yield from injectors.get(kind, {}).values()
    yield from flatten(injectors.get('extra_vars', {}))


def flatten(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from flatten(item)
    elif isinstance(value, list):
        for item in value:
            yield from flatten(item)
    else:
        yield value


def definition_errors(definition):
    errors = []
    if definition.get('kind') not in ('cloud', 'net'):
        errors.append("kind: Must be 'cloud' or 'net', not %r." % definition.get('kind'))
    errors.extend(input_errors(definition.get('inputs', {})))
    field_ids = [field.get('id') for field in definition.get('inputs', {}).get('fields', [])]
    errors.extend(injector_errors(definition.get('injectors', {}), field_ids))
    return errors


def render_env(definition, values):
    """The environment AWX gives a job for a credential holding ``values``: only the inputs the
    credential holds, and of those only the non-empty ones, are in the namespace (booleans always)."""
    namespace = dict((name, value) for name, value in values.items() if isinstance(value, bool) or len(value))
    sandbox = ImmutableSandboxedEnvironment()
    return dict((name, sandbox.from_string(template).render(**namespace))
                for name, template in definition['injectors'].get('env', {}).items())
