# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Glue between lookup plugins and the shared client. Private.

Lookups read the same options as modules (doc fragment scwkms.key_manager.api.PLUGIN);
lookup_errors() is the one place where a collection error becomes AnsibleLookupError.
"""

from __future__ import annotations

from contextlib import contextmanager

from ansible.errors import AnsibleLookupError

from ansible_collections.scwkms.key_manager.plugins.module_utils._client import (
    HAS_REQUESTS, KeyManagerClient, KeyManagerError,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._credentials import resolve_settings
from ansible_collections.scwkms.key_manager.plugins.module_utils._errors import UserError
from ansible_collections.scwkms.key_manager.plugins.module_utils._module import API_OPTION_NAMES


@contextmanager
def lookup_errors(plugin_name):
    try:
        yield
    except UserError as exc:
        raise AnsibleLookupError('%s: %s' % (plugin_name, exc))
    except KeyManagerError as exc:
        raise AnsibleLookupError('%s: Key Manager API call failed: %s' % (plugin_name, exc))


def settings_from_plugin(plugin, plugin_name):
    options = dict((name, plugin.get_option(name)) for name in API_OPTION_NAMES)
    with lookup_errors(plugin_name):
        return resolve_settings(options)


def client_from_plugin(plugin, plugin_name, **client_options):
    """(settings, client) for a lookup whose options were set with set_options(); client_options go to
    KeyManagerClient (the public-key lookup gives its cache's sleep)."""
    if not HAS_REQUESTS:
        raise AnsibleLookupError('%s: the requests Python package is required on the controller' % plugin_name)
    settings = settings_from_plugin(plugin, plugin_name)
    return settings, KeyManagerClient(settings, **client_options)
