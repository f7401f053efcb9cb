# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Glue between lookup plugins and the shared client. Private.

Lookups read the connection options of module_utils/_options.py (documented by the doc fragments
scwkms.key_manager.api and scwkms.key_manager.api.plugins, which adds the scwkms_* variables; the
SCW_* environment is read by the resolver alone); lookup_errors() is the one place where a collection
error becomes AnsibleLookupError, and require_plugin() the one dependency check of plugins.
"""

from __future__ import annotations

from contextlib import contextmanager

from ansible.errors import AnsibleLookupError
from ansible.utils.display import Display

from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerClient, KeyManagerError
from ansible_collections.scwkms.key_manager.plugins.module_utils._credentials import resolve_settings
from ansible_collections.scwkms.key_manager.plugins.module_utils._errors import UserError
from ansible_collections.scwkms.key_manager.plugins.module_utils._options import (
    CRYPTOGRAPHY, NAMES, REQUESTS, import_error, package_of,
)

display = Display()


@contextmanager
def lookup_errors(plugin_name):
    try:
        yield
    except UserError as exc:
        raise AnsibleLookupError('%s: %s' % (plugin_name, exc))
    except KeyManagerError as exc:
        raise AnsibleLookupError('%s: Key Manager API call failed: %s' % (plugin_name, exc))


def require_plugin(plugin_name, module_name):
    """AnsibleLookupError unless module_name imports; call it only when the lookup needs that package."""
    if import_error(module_name):
        raise AnsibleLookupError('%s: the %s Python package is required on the controller' % (
            plugin_name, package_of(module_name)))


def require_cryptography_plugin(plugin_name):
    require_plugin(plugin_name, CRYPTOGRAPHY)


def templated_sources(templar, variables):
    """The variables lookups read options from (scwkms_*), templated.

    ansible-core hands lookups the task's variables untemplated, and the config manager does not
    template the `vars:` sources of plugin options, so `scwkms_secret_key: "{{ vault_secret }}"`
    would reach the plugin as the literal template text."""
    if not variables:
        return variables
    templated = dict(variables)
    for name, value in variables.items():
        if name.startswith('scwkms_') and isinstance(value, str) and '{' in value:
            templated[name] = templar.template(value)
    return templated


def settings_from_plugin(plugin, plugin_name):
    options = dict((name, plugin.get_option(name)) for name in NAMES)
    with lookup_errors(plugin_name):
        settings = resolve_settings(options)
    for warning in settings.warnings:
        display.warning('%s: %s' % (plugin_name, warning))
    return settings


def client_from_plugin(plugin, plugin_name, **client_options):
    """(settings, client) for a lookup whose options were set with set_options(); client_options go to
    KeyManagerClient (the public-key lookup gives its cache's sleep)."""
    require_plugin(plugin_name, REQUESTS)
    settings = settings_from_plugin(plugin, plugin_name)
    return settings, KeyManagerClient(settings, **client_options)
