# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The scw CLI's config file: where it is and which profile to read, as the scw CLI and the Go SDK do. Private.

Profile: option profile > SCW_PROFILE > active_profile > root profile; a named profile is merged over the root one.
"""

from __future__ import annotations

import os

from ._errors import UserError
from ._options import BY_NAME, clean


class ConfigFileError(UserError):
    pass


def config_file_path(options, environ):
    explicit = clean(options.get('config_file')) or clean(environ.get(BY_NAME['config_file'].env))
    if explicit:
        return os.path.expanduser(explicit), True
    base = clean(environ.get('XDG_CONFIG_HOME')) or os.path.join(os.path.expanduser('~'), '.config')
    return os.path.join(base, 'scw', 'config.yaml'), False


def load_profile(path, explicit_path, profile_name):
    """Values of the selected profile, merged over the root profile. {} when there is no file to read."""
    if not os.path.exists(path):
        if explicit_path:
            raise ConfigFileError('config_file: the Scaleway config file %s does not exist' % path)
        if profile_name:
            raise ConfigFileError('profile: profile %r was asked for, but there is no Scaleway config file at %s' % (profile_name, path))
        return {}, None
    data = _read_yaml(path)
    root = {key: value for key, value in data.items() if key not in ('profiles', 'active_profile')}
    name = profile_name or clean(data.get('active_profile'))
    if not name or name == 'default':
        return root, 'root profile of %s' % path
    profiles = data.get('profiles') or {}
    if name not in profiles:
        raise ConfigFileError('profile: profile %r is not in %s; profiles there: %s' % (
            name, path, ', '.join(sorted(profiles)) or 'none'))
    merged = dict(root)
    merged.update({key: value for key, value in (profiles[name] or {}).items() if value is not None})
    return merged, 'profile %r of %s' % (name, path)


def _read_yaml(path):
    # Imported here: most runs have no config file, and PyYAML costs about 20 ms per task to import.
    try:
        import yaml  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise ConfigFileError('config_file: reading %s needs the PyYAML Python package' % path)
    try:
        with open(path, 'rb') as handle:
            data = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigFileError('config_file: cannot read the Scaleway config file %s: %s' % (path, exc))
    if not isinstance(data, dict):
        raise ConfigFileError('config_file: %s is not a Scaleway config file (expected a mapping)' % path)
    return data
