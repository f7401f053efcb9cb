# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the collection takes from its environment, declared once: connection options and Python packages. Private.

The module argument spec (_module.api_argument_spec), the resolver's sources and defaults
(_credentials.py) and the lookup glue (plugin_utils/_lookup.py) are built from OPTIONS;
plugins/doc_fragments/api.py is checked against it by tests/unit/plugins/module_utils/test_options.py.
"""

from __future__ import annotations

import importlib
import traceback
from collections import namedtuple

Option = namedtuple('Option', ['name', 'type', 'default', 'no_log', 'env', 'config_key', 'fallback', 'var'])
"""default: the argument spec and doc default (it beats the environment, so only for options the environment
cannot set); fallback: the resolver's last resort, after options, environment and config file; env: the SCW_*
variable the resolver reads; config_key: the key in a scw config file profile; var: the lookup variable."""


def _option(name, type_='str', default=None, no_log=False, env=None, config_key=None, fallback=None):
    return Option(name, type_, default, no_log, env, config_key, fallback, 'scwkms_' + name)


OPTIONS = (
    _option('access_key', no_log=True, env='SCW_ACCESS_KEY', config_key='access_key'),
    _option('secret_key', no_log=True, env='SCW_SECRET_KEY', config_key='secret_key'),
    _option('project_id', env='SCW_DEFAULT_PROJECT_ID', config_key='default_project_id'),
    _option('organization_id', env='SCW_DEFAULT_ORGANIZATION_ID', config_key='default_organization_id'),
    _option('region', env='SCW_DEFAULT_REGION', config_key='default_region', fallback='fr-par'),
    _option('api_url', env='SCW_API_URL', config_key='api_url', fallback='https://api.scaleway.com'),
    _option('profile', env='SCW_PROFILE'),
    _option('config_file', 'path', env='SCW_CONFIG_PATH'),
    _option('timeout', 'float', default=30.0),
    _option('max_retries', 'int', default=5),
    _option('retry_deadline', 'float', default=120.0),
    _option('validate_certs', 'bool', default=True),
)
BY_NAME = dict((option.name, option) for option in OPTIONS)
NAMES = tuple(option.name for option in OPTIONS)


def argument_spec():
    """The AnsibleModule argument spec of the connection options."""
    spec = {}
    for option in OPTIONS:
        spec[option.name] = dict(type=option.type)
        if option.default is not None:
            spec[option.name]['default'] = option.default
        if option.no_log:
            spec[option.name]['no_log'] = True
    return spec


def clean(value):
    """The value as text without surrounding whitespace, None when nothing is left.

    Secrets pasted into vaults, Kubernetes or AWX often end with a newline, which no API accepts in a
    header; a value that is only whitespace is treated as not set, so the next source is used."""
    if value is None:
        return None
    return str(value).strip() or None


# The import each feature needs, checked when it is used: a task that does not use it does not pay for it.
REQUESTS = 'requests'
CRYPTOGRAPHY = 'cryptography.hazmat.primitives.serialization'


def import_error(module_name):
    """None when module_name imports, else the traceback of the failed import."""
    try:
        importlib.import_module(module_name)
    except ImportError:
        return traceback.format_exc()
    return None


def package_of(module_name):
    return module_name.split('.', 1)[0]
