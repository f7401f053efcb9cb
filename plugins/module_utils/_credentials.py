# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One resolver for credentials and connection settings, shared by modules and plugins. Private.

Precedence, as the scw CLI and the Go SDK: explicit options > SCW_* environment > the selected
profile of the scw config file (option profile > SCW_PROFILE > active_profile > root profile;
a named profile is merged over the root one) > defaults.
"""

from __future__ import annotations

import os
import re
from collections import namedtuple

from ._errors import UserError
from ._keyref import REGIONS, is_uuid

DEFAULT_API_URL = 'https://api.scaleway.com'
DEFAULT_REGION = 'fr-par'
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 5
DEFAULT_RETRY_DEADLINE = 120.0

# option name -> (environment variable, key in the scw config file)
SOURCES = {
    'access_key': ('SCW_ACCESS_KEY', 'access_key'),
    'secret_key': ('SCW_SECRET_KEY', 'secret_key'),
    'project_id': ('SCW_DEFAULT_PROJECT_ID', 'default_project_id'),
    'organization_id': ('SCW_DEFAULT_ORGANIZATION_ID', 'default_organization_id'),
    'region': ('SCW_DEFAULT_REGION', 'default_region'),
    'api_url': ('SCW_API_URL', 'api_url'),
}
_ACCESS_KEY = re.compile(r'^SCW[A-Z0-9]{17}$', re.IGNORECASE)

Settings = namedtuple('Settings', [
    'access_key', 'secret_key', 'project_id', 'organization_id', 'region', 'api_url',
    'timeout', 'max_retries', 'retry_deadline', 'validate_certs', 'origins',
])
"""Resolved settings; origins maps each option to where its value came from (for error messages)."""


class CredentialsError(UserError):
    pass


def config_file_path(options, environ):
    explicit = options.get('config_file') or environ.get('SCW_CONFIG_PATH')
    if explicit:
        return os.path.expanduser(explicit), True
    xdg = environ.get('XDG_CONFIG_HOME')
    base = xdg if xdg else os.path.join(os.path.expanduser('~'), '.config')
    return os.path.join(base, 'scw', 'config.yaml'), False


def load_profile(path, explicit_path, profile_name):
    """Values of the selected profile, merged over the root profile. {} when there is no file to read."""
    if not os.path.exists(path):
        if explicit_path:
            raise CredentialsError('config_file: the Scaleway config file %s does not exist' % path)
        if profile_name:
            raise CredentialsError('profile: profile %r was asked for, but there is no Scaleway config file at %s' % (profile_name, path))
        return {}, None
    data = _read_yaml(path)
    root = {key: value for key, value in data.items() if key not in ('profiles', 'active_profile')}
    name = profile_name or data.get('active_profile')
    if not name or name == 'default':
        return root, 'root profile of %s' % path
    profiles = data.get('profiles') or {}
    if name not in profiles:
        raise CredentialsError('profile: profile %r is not in %s; profiles there: %s' % (
            name, path, ', '.join(sorted(profiles)) or 'none'))
    merged = dict(root)
    merged.update({key: value for key, value in (profiles[name] or {}).items() if value is not None})
    return merged, 'profile %r of %s' % (name, path)


def _read_yaml(path):
    # Imported here: most runs have no config file, and PyYAML costs about 20 ms per task to import.
    try:
        import yaml  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise CredentialsError('config_file: reading %s needs the PyYAML Python package' % path)
    try:
        with open(path, 'rb') as handle:
            data = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CredentialsError('config_file: cannot read the Scaleway config file %s: %s' % (path, exc))
    if not isinstance(data, dict):
        raise CredentialsError('config_file: %s is not a Scaleway config file (expected a mapping)' % path)
    return data


def resolve_settings(options, environ=None):
    """Resolve and validate every setting once, before any request is made."""
    environ = os.environ if environ is None else environ
    profile_name = options.get('profile') or environ.get('SCW_PROFILE')
    path, explicit_path = config_file_path(options, environ)
    profile, profile_origin = load_profile(path, explicit_path, profile_name)

    values, origins = {}, {}
    for option, (env_name, file_key) in SOURCES.items():
        values[option], origins[option] = _pick(option, options, environ, env_name, profile, file_key, profile_origin)
    values['api_url'] = values['api_url'] or DEFAULT_API_URL
    values['region'] = values['region'] or DEFAULT_REGION
    settings = Settings(
        access_key=values['access_key'],
        secret_key=values['secret_key'],
        project_id=values['project_id'],
        organization_id=values['organization_id'],
        region=values['region'],
        api_url=values['api_url'].rstrip('/'),
        timeout=float(_default(options.get('timeout'), DEFAULT_TIMEOUT)),
        max_retries=int(_default(options.get('max_retries'), DEFAULT_MAX_RETRIES)),
        retry_deadline=float(_default(options.get('retry_deadline'), DEFAULT_RETRY_DEADLINE)),
        validate_certs=bool(_default(options.get('validate_certs'), True)),
        origins=origins,
    )
    validate_settings(settings)
    return settings


def _default(value, default):
    return default if value is None else value


def _pick(option, options, environ, env_name, profile, file_key, profile_origin):
    if options.get(option) not in (None, ''):
        return str(options[option]), 'option %s' % option
    if environ.get(env_name):
        return environ[env_name], 'environment variable %s' % env_name
    if profile.get(file_key) not in (None, ''):
        return str(profile[file_key]), '%s (%s)' % (file_key, profile_origin)
    return None, None


def validate_settings(settings):
    """Clear errors that never echo a secret value."""
    origins = settings.origins
    if not settings.secret_key:
        raise CredentialsError(
            'secret_key: no Scaleway secret key found; set the secret_key option, the SCW_SECRET_KEY environment '
            'variable, or secret_key in a Scaleway config file profile')
    if not is_uuid(settings.secret_key):
        raise CredentialsError('secret_key: the secret key from %s is not a UUID (a Scaleway secret key looks like '
                               'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)' % origins['secret_key'])
    if settings.access_key and not _ACCESS_KEY.match(settings.access_key):
        raise CredentialsError('access_key: the access key from %s is not a Scaleway access key (SCW followed by '
                               '17 letters or digits)' % origins['access_key'])
    for option in ('project_id', 'organization_id'):
        value = getattr(settings, option)
        if value and not is_uuid(value):
            raise CredentialsError('%s: %r from %s is not a UUID' % (option, value, origins[option]))
    if settings.region not in REGIONS:
        raise CredentialsError('region: %r%s is not a Key Manager region; use one of %s' % (
            settings.region, _from(origins['region']), ', '.join(REGIONS)))
    if not re.match(r'^https?://[^/\s]+(/[^\s]*)?$', settings.api_url):
        raise CredentialsError('api_url: %r%s is not an http(s) URL' % (settings.api_url, _from(origins['api_url'])))
    if settings.timeout <= 0:
        raise CredentialsError('timeout: must be a positive number of seconds, got %s' % settings.timeout)
    if settings.max_retries < 0:
        raise CredentialsError('max_retries: must be 0 or more, got %s' % settings.max_retries)


def _from(origin):
    return ' (from %s)' % origin if origin else ''


def require_project(settings, project_id=None):
    """The project to create or list keys in; a clear error before any request when none is known."""
    project = project_id or settings.project_id
    if not project:
        raise CredentialsError(
            'project_id: this task needs a Scaleway project; set the project_id option, the SCW_DEFAULT_PROJECT_ID '
            'environment variable, or default_project_id in a Scaleway config file profile')
    if not is_uuid(project):
        raise CredentialsError('project_id: %r is not a UUID' % (project,))
    return project
