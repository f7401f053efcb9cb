# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where the vault password client keeps its sealed files, one per label. Private, standard library only.

The directory, first found wins:
1. the client's --dir option;
2. the SCWKMS_VAULT_DIR environment variable (relative to the current directory);
3. ``dir`` in the ``[scwkms_vault_client]`` section of the ansible.cfg that ansible-core itself would read
   (ANSIBLE_CONFIG, ./ansible.cfg unless the current directory is world-writable, ~/.ansible.cfg,
   /etc/ansible/ansible.cfg; the first file that exists), relative to that file's directory, as
   ansible-core resolves relative paths of its own settings;
4. ``scwkms_vault`` in the current directory (where ansible-playbook and ansible-vault are run, and
   where they find ./ansible.cfg).

A label's password is in ``<dir>/<label>.scwkms``: a sealed file (module_utils/_sealed_file.py) naming
the key, holding the password encrypted with the label as associated data (associated_data()).
"""

from __future__ import annotations

import os
import re
import stat

DIR_ENV = 'SCWKMS_VAULT_DIR'
INI_SECTION = 'scwkms_vault_client'
INI_KEY = 'dir'
DEFAULT_DIR = 'scwkms_vault'
SUFFIX = '.scwkms'
# A label becomes a file name: no separator, no leading dot (so no '..' and no hidden file).
LABEL = re.compile(r'[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}')
LABEL_RULE = 'a letter, digit or _, then up to 127 letters, digits, _, . or -'
AD_PREFIX = b'scwkms.key_manager vault-client label='


class StoreError(Exception):
    """A label or a directory that cannot be used; the message names it."""


class NoSecret(StoreError):
    """Nothing stored for this label: the vault client protocol's exit code 2."""


class BadLabel(NoSecret):
    """A label that cannot name a file, so nothing can be stored for it."""


def check_label(label):
    if not LABEL.fullmatch(label or ''):
        raise BadLabel('vault id %r cannot name a sealed file: a label is %s' % (label, LABEL_RULE))
    return label


def associated_data(label):
    """What binds a sealed password to its label: a file copied to another label's name fails to decrypt."""
    return AD_PREFIX + check_label(label).encode('ascii')


def ansible_cfg(environ, cwd):
    """The ansible.cfg ansible-core would read, or None."""
    candidates = []
    chosen = environ.get('ANSIBLE_CONFIG')
    if chosen:
        chosen = os.path.expanduser(chosen)
        candidates.append(os.path.join(chosen, 'ansible.cfg') if os.path.isdir(chosen) else chosen)
    # ansible-core ignores ./ansible.cfg in a world-writable directory: anyone could have put it there.
    if not os.stat(cwd).st_mode & stat.S_IWOTH:
        candidates.append(os.path.join(cwd, 'ansible.cfg'))
    candidates += [os.path.expanduser('~/.ansible.cfg'), '/etc/ansible/ansible.cfg']
    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate
    return None


def _from_ini(path):
    import configparser
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(';',))
    try:
        parser.read(path, encoding='utf-8')
    except (configparser.Error, OSError, UnicodeDecodeError) as exc:
        raise StoreError('cannot read %s: %s' % (path, exc.__class__.__name__)) from None
    value = parser.get(INI_SECTION, INI_KEY, fallback='').strip()
    if not value:
        return None
    return os.path.join(os.path.dirname(os.path.abspath(path)), os.path.expanduser(value))


def resolve_dir(option=None, environ=None, cwd=None):
    """(directory, where it came from) per the order in the module docstring."""
    environ = os.environ if environ is None else environ
    cwd = cwd or os.getcwd()
    if option:
        return os.path.join(cwd, os.path.expanduser(option)), 'option --dir'
    if (environ.get(DIR_ENV) or '').strip():
        return os.path.join(cwd, os.path.expanduser(environ[DIR_ENV].strip())), 'environment variable ' + DIR_ENV
    config = ansible_cfg(environ, cwd)
    found = _from_ini(config) if config else None
    if found:
        return found, '[%s] %s in %s' % (INI_SECTION, INI_KEY, config)
    return os.path.join(cwd, DEFAULT_DIR), 'the default'


def label_path(directory, label):
    return os.path.join(directory, check_label(label) + SUFFIX)


def read(directory, label):
    """The text of a label's sealed file; NoSecret when there is none."""
    path = label_path(directory, label)
    try:
        with open(path, encoding='utf-8') as handle:
            return handle.read()
    except FileNotFoundError:
        raise NoSecret('no vault password for label %r: %s does not exist' % (label, path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError('cannot read %s: %s' % (path, exc.strerror or exc.__class__.__name__)) from None


def write(directory, label, text, replace=False):
    """Write a label's sealed file atomically (a reader sees the old file or the new one, never half)."""
    import tempfile
    path = label_path(directory, label)
    try:
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix='.%s.' % label, suffix='.tmp')
        try:
            with os.fdopen(handle, 'w', encoding='utf-8') as out:
                out.write(text)
            os.chmod(temporary, 0o644)
            # link() never replaces: of two people creating one label at once, the second is refused.
            (os.replace if replace else os.link)(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except FileExistsError:
        raise _exists(label, path) from None
    except OSError as exc:
        raise StoreError('cannot write %s: %s' % (path, exc.strerror or exc.__class__.__name__)) from None
    return path


def refuse_existing(directory, label):
    """StoreError when the label already has a password (to check before any request)."""
    path = label_path(directory, label)
    if os.path.lexists(path):
        raise _exists(label, path)


def _exists(label, path):
    return StoreError('label %r already has a vault password in %s; --force replaces it, after which whatever was '
                      'encrypted with the old password cannot be decrypted with this label' % (label, path))


def labels(directory):
    """Labels with a sealed file in the directory, sorted; [] when the directory does not exist."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StoreError('cannot list %s: %s' % (directory, exc.strerror)) from None
    found = (name[:-len(SUFFIX)] for name in names if name.endswith(SUFFIX))
    return sorted(label for label in found if LABEL.fullmatch(label))
