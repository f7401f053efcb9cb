# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""AnsibleModule glue shared by every module of the collection. Private.

The argument spec here mirrors plugins/doc_fragments/api.py; module_errors() is the one place where
a UserError or a KeyManagerError becomes fail_json.
"""

from __future__ import annotations

from contextlib import contextmanager

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, KeyManagerClient, KeyManagerError
from ._credentials import resolve_settings
from ._errors import UserError

API_OPTION_NAMES = ('access_key', 'secret_key', 'project_id', 'organization_id', 'region', 'api_url', 'profile',
                    'config_file', 'timeout', 'max_retries', 'retry_deadline', 'validate_certs')


def api_argument_spec():
    """Connection options; defaults for region, api_url and credentials are applied by the resolver
    (environment and scw profile come before them), so they have no default here."""
    return dict(
        access_key=dict(type='str', no_log=True),
        secret_key=dict(type='str', no_log=True),
        project_id=dict(type='str'),
        organization_id=dict(type='str'),
        region=dict(type='str'),
        api_url=dict(type='str'),
        profile=dict(type='str'),
        config_file=dict(type='path'),
        timeout=dict(type='float', default=30.0),
        max_retries=dict(type='int', default=5),
        retry_deadline=dict(type='float', default=120.0),
        validate_certs=dict(type='bool', default=True),
    )


def build_module(argument_spec, **kwargs):
    spec = api_argument_spec()
    spec.update(argument_spec)
    module = AnsibleModule(argument_spec=spec, **kwargs)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    return module


@contextmanager
def module_errors(module, **result):
    """Turn the collection's errors into fail_json, keeping what the module already reports."""
    try:
        yield
    except UserError as exc:
        module.fail_json(msg=str(exc), **result)
    except KeyManagerError as exc:
        module.fail_json(msg='Key Manager API call failed: %s' % exc, api_error=exc.to_dict(), **result)


def settings_from_module(module):
    options = dict((name, module.params.get(name)) for name in API_OPTION_NAMES)
    with module_errors(module):
        return resolve_settings(options)


def client_from_module(module):
    """(settings, client), resolved and validated before any request."""
    settings = settings_from_module(module)
    return settings, KeyManagerClient(settings)
