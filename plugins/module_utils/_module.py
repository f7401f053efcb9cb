# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""AnsibleModule glue shared by every module of the collection. Private.

The connection options come from _options.OPTIONS (as does plugins/doc_fragments/api.py, checked by
a unit test); module_errors() is the one place where a UserError or a KeyManagerError becomes fail_json;
require() and its two names are the one dependency check of modules.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ._client import KeyManagerClient, KeyManagerError
from ._credentials import resolve_settings
from ._errors import UserError, secret_spellings
from ._options import BY_NAME, CRYPTOGRAPHY, NAMES, OPTIONS, REQUESTS, argument_spec, import_error, package_of


def api_argument_spec():
    """Connection options; defaults for region, api_url and credentials are applied by the resolver
    (environment and scw profile come before them), so they have no default here."""
    return argument_spec()


def build_module(argument_spec, **kwargs):
    spec = api_argument_spec()
    spec.update(argument_spec)
    module = AnsibleModule(argument_spec=spec, **kwargs)
    # Masked now, not once resolved: a failure before resolution must not show it either.
    mask(module, os.environ.get(BY_NAME['secret_key'].env))
    require_requests(module)
    return module


def mask(module, *values):
    """Keep values (str or bytes: secrets that do not come from a no_log option, such as key material read
    from a file) out of everything the module returns, in every spelling the client scrubs too."""
    for value in values:
        # A blank form would mask every space or newline of the result.
        if not value or not value.strip():
            continue
        module.no_log_values.update(form for form in secret_spellings(value) if form.strip())


def require(module, module_name):
    """fail_json unless module_name imports; call it only when the task needs that package."""
    error = import_error(module_name)
    if error:
        module.fail_json(msg=missing_required_lib(package_of(module_name)), exception=error)


def require_requests(module):
    require(module, REQUESTS)


def require_cryptography(module):
    require(module, CRYPTOGRAPHY)


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
    options = dict((name, module.params.get(name)) for name in NAMES)
    with module_errors(module):
        settings = resolve_settings(options)
    mask(module, *(getattr(settings, option.name) for option in OPTIONS if option.no_log))
    for warning in settings.warnings:
        module.warn(warning)
    return settings


def client_from_module(module):
    """(settings, client), resolved and validated before any request."""
    settings = settings_from_module(module)
    return settings, KeyManagerClient(settings)
