# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lookup glue: options from the one declaration, settings warnings through Display, dependency checks."""

from __future__ import annotations

import sys

import pytest
from ansible.errors import AnsibleLookupError

from ansible_collections.scwkms.key_manager.plugins.module_utils._options import OPTIONS
from ansible_collections.scwkms.key_manager.plugins.plugin_utils import _lookup
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import SECRET


class Plugin(object):
    """What the glue reads of a lookup: get_option(), after the config manager applied defaults."""

    def __init__(self, **options):
        self.options = dict((option.name, option.default) for option in OPTIONS)
        self.options.update(options)
        self.asked = []

    def get_option(self, name):
        self.asked.append(name)
        return self.options[name]


@pytest.fixture
def warnings(monkeypatch):
    shown = []
    monkeypatch.setattr(_lookup.display, 'warning', shown.append)
    return shown


def test_every_declared_option_is_read_and_stripped(monkeypatch, warnings):
    monkeypatch.setenv('SCW_SECRET_KEY', 'ignored')
    plugin = Plugin(secret_key=SECRET + '\n', api_url='http://127.0.0.1:1')
    settings = _lookup.settings_from_plugin(plugin, 'scwkms_x')
    assert plugin.asked == [option.name for option in OPTIONS]
    assert settings.secret_key == SECRET and warnings == []


@pytest.mark.parametrize('options, start', [
    ({'validate_certs': False}, 'scwkms_x: validate_certs is false: the TLS certificate of api.scaleway.com'),
    ({'api_url': 'http://kms.example.com'}, 'scwkms_x: api_url is plain http:// to kms.example.com'),
])
def test_settings_warnings_are_displayed(warnings, options, start):
    _lookup.settings_from_plugin(Plugin(secret_key=SECRET, **options), 'scwkms_x')
    warning, = warnings
    assert warning.startswith(start)


def test_settings_errors_are_lookup_errors_without_the_secret():
    with pytest.raises(AnsibleLookupError) as error:
        _lookup.settings_from_plugin(Plugin(secret_key='x' + SECRET), 'scwkms_x')
    assert str(error.value).startswith('scwkms_x: secret_key: the secret key from option secret_key is not a UUID')
    assert SECRET not in str(error.value)


@pytest.mark.parametrize('check, package', [
    (lambda: _lookup.require_cryptography_plugin('scwkms_x'), 'cryptography'),
    (lambda: _lookup.client_from_plugin(Plugin(secret_key=SECRET), 'scwkms_x'), 'requests'),
])
def test_a_missing_dependency_is_a_lookup_error(monkeypatch, check, package):
    for name in list(sys.modules):
        if name == package or name.startswith(package + '.'):
            monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(AnsibleLookupError, match='^scwkms_x: the %s Python package is required on the controller$' % package):
        check()


def test_present_dependencies_pass():
    _lookup.require_cryptography_plugin('scwkms_x')
    settings, client = _lookup.client_from_plugin(Plugin(secret_key=SECRET), 'scwkms_x')
    assert client.settings is settings
