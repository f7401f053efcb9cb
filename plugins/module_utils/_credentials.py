# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One resolver for credentials and connection settings, shared by modules and plugins. Private.

Precedence, as the scw CLI and the Go SDK: explicit options > SCW_* environment > the selected
profile of the scw config file (_scw_config.py) > defaults. Every value is read without its
surrounding whitespace (_options.clean).
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections import namedtuple
from urllib.parse import urlsplit

from ._errors import UserError
from ._keyref import is_uuid, validate_region
from ._options import BY_NAME, OPTIONS, clean
from ._scw_config import config_file_path, load_profile

# option name -> (environment variable, key in the scw config file)
SOURCES = dict((option.name, (option.env, option.config_key)) for option in OPTIONS if option.config_key)
_ACCESS_KEY = re.compile(r'SCW[A-Z0-9]{17}', re.IGNORECASE)
_URL = re.compile(r'(?i:https?)://[^/\s?#]+(/[^\s?#]*)?')
# What comes before the first / ? or # after an optional scheme: where user info would be.
_AUTHORITY = re.compile(r'(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?P<authority>[^/?#]*)')

Settings = namedtuple('Settings', [
    'access_key', 'secret_key', 'project_id', 'organization_id', 'region', 'api_url',
    'timeout', 'max_retries', 'retry_deadline', 'validate_certs', 'origins', 'warnings',
])
"""Resolved settings; origins maps each option to where its value came from (for error messages);
warnings (a tuple of str) are for the caller to show: module.warn or Display().warning."""


class CredentialsError(UserError):
    pass


def resolve_settings(options, environ=None):
    """Resolve and validate every setting once, before any request is made."""
    environ = os.environ if environ is None else environ
    profile_name = clean(options.get('profile')) or clean(environ.get(BY_NAME['profile'].env))
    path, explicit_path = config_file_path(options, environ)
    profile, profile_origin = load_profile(path, explicit_path, profile_name)

    values, origins = {}, {}
    for option, (env_name, file_key) in SOURCES.items():
        values[option], origins[option] = _pick(option, options, environ, env_name, profile, file_key, profile_origin)
        values[option] = values[option] or BY_NAME[option].fallback
    for option in ('timeout', 'max_retries', 'retry_deadline', 'validate_certs'):
        values[option] = BY_NAME[option].default if options.get(option) is None else options[option]
    settings = Settings(
        access_key=values['access_key'],
        secret_key=values['secret_key'],
        project_id=values['project_id'],
        organization_id=values['organization_id'],
        region=values['region'],
        api_url=values['api_url'].rstrip('/'),
        timeout=float(values['timeout']),
        max_retries=int(values['max_retries']),
        retry_deadline=float(values['retry_deadline']),
        validate_certs=bool(values['validate_certs']),
        origins=origins,
        warnings=(),
    )
    validate_settings(settings)
    return settings._replace(warnings=settings_warnings(settings))


def _pick(option, options, environ, env_name, profile, file_key, profile_origin):
    value = clean(options.get(option))
    if value:
        return value, 'option %s' % option
    value = clean(environ.get(env_name))
    if value:
        return value, 'environment variable %s' % env_name
    value = clean(profile.get(file_key))
    if value:
        return value, '%s (%s)' % (file_key, profile_origin)
    return None, None


def validate_settings(settings):
    """Clear errors that never echo a secret value."""
    origins = settings.origins
    _validate_credentials(settings)
    for option in ('project_id', 'organization_id'):
        value = getattr(settings, option)
        if value and not is_uuid(value):
            raise CredentialsError('%s: %r from %s is not a UUID' % (option, value, origins[option]))
    validate_region(settings.region, 'region%s' % _from(origins['region']))
    _validate_api_url(settings.api_url, origins['api_url'])
    if not (math.isfinite(settings.timeout) and settings.timeout > 0):
        raise CredentialsError('timeout: must be a positive number of seconds, got %s' % settings.timeout)
    if not (math.isfinite(settings.retry_deadline) and settings.retry_deadline >= 0):
        raise CredentialsError('retry_deadline: must be 0 or more seconds, got %s' % settings.retry_deadline)
    if settings.max_retries < 0:
        raise CredentialsError('max_retries: must be 0 or more, got %s' % settings.max_retries)


def _validate_credentials(settings):
    origins = settings.origins
    if not settings.secret_key:
        raise CredentialsError(
            'secret_key: no Scaleway secret key found; set the secret_key option, the SCW_SECRET_KEY environment '
            'variable, or secret_key in a Scaleway config file profile')
    if not is_uuid(settings.secret_key):
        raise CredentialsError('secret_key: the secret key from %s is not a UUID (a Scaleway secret key looks like '
                               'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)' % origins['secret_key'])
    if settings.access_key and not _ACCESS_KEY.fullmatch(settings.access_key):
        raise CredentialsError('access_key: the access key from %s is not a Scaleway access key (SCW followed by '
                               '17 letters or digits)' % origins['access_key'])


def _validate_api_url(url, origin):
    # Checked first, and the URL then never echoed: user info may hold a password.
    if '@' in _AUTHORITY.match(url).group('authority'):
        raise CredentialsError(
            'api_url: the URL%s holds a user name or password (user:password@host), which this collection refuses: '
            'the API authenticates with the secret key, and credentials in the URL would be sent to that host; '
            'remove them' % _from(origin))
    if not _URL.fullmatch(url):
        raise CredentialsError('api_url: %r%s is not an http(s) URL without query or fragment' % (url, _from(origin)))


def settings_warnings(settings):
    """What is allowed but unsafe: no certificate check, and plain HTTP beyond this machine."""
    warnings = []
    parts = urlsplit(settings.api_url)
    if not settings.validate_certs:
        warnings.append('validate_certs is false: the TLS certificate of %s is not checked, so anyone who can '
                        'intercept the connection can read the secret key and answer in the API\'s name' % parts.hostname)
    if parts.scheme.lower() == 'http' and not _is_loopback(parts.hostname):
        warnings.append('api_url is plain http:// to %s, a host that is not this machine: the secret key and every '
                        'key sent or received cross the network unencrypted; use https://' % parts.hostname)
    return tuple(warnings)


def _is_loopback(host):
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _from(origin):
    return ' (from %s)' % origin if origin else ''


def require_project(settings, project_id=None):
    """The project to create or list keys in; a clear error before any request when none is known."""
    project = clean(project_id) or settings.project_id
    if not project:
        raise CredentialsError(
            'project_id: this task needs a Scaleway project; set the project_id option, the SCW_DEFAULT_PROJECT_ID '
            'environment variable, or default_project_id in a Scaleway config file profile')
    if not is_uuid(project):
        raise CredentialsError('project_id: %r is not a UUID' % (project,))
    return project
