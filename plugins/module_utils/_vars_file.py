# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Encrypted vars files: a sealed file (_sealed_file) whose plaintext is a YAML mapping of variables. Private.

The one reader and writer of the vars plugin (plugins/vars/scwkms.py), the scwkms_vars_file module and
scripts/scwkms-vars. Reading costs one decrypt request (_sealing.unseal, the key given by id in the file, so
no key lookup); writing costs what _sealing.seal costs. Messages name the file, never a value: a YAML error
is reported by line and column only, because PyYAML's own message quotes the text around the error.
"""

from __future__ import annotations

from collections import namedtuple

from . import _sealed_file, _sealing
from ._errors import UserError
from ._target import Target, locate

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core; checked where it is needed
    yaml = None

# Not .yml: ansible.builtin.host_group_vars loads every *.yml of a group_vars/<group>/ directory, and would
# define the wrapper's own keys (scwkms_sealed, key, ciphertext) as variables of that group.
SUFFIXES = ('.scwkms',)
VarsFile = namedtuple('VarsFile', ['variables', 'target', 'key_uri', 'rewrapped'])


def key_uri(target):
    return _sealed_file.key_uri(target.key_id, target.region)


def parse_variables(plaintext, source, what='the decrypted content'):
    """The mapping of variables a decrypted file holds; {} for an empty document."""
    if yaml is None:
        raise UserError('%s: the PyYAML Python package is required to read encrypted vars files' % source)
    try:
        text = plaintext.decode('utf-8') if isinstance(plaintext, bytes) else plaintext
        data = yaml.safe_load(text)
    except UnicodeDecodeError:
        raise UserError('%s: %s is not UTF-8 text' % (source, what))
    except yaml.YAMLError as exc:
        mark = getattr(exc, 'problem_mark', None) or getattr(exc, 'context_mark', None)
        where = ' at line %d, column %d' % (mark.line + 1, mark.column + 1) if mark else ''
        raise UserError('%s: %s is not valid YAML%s' % (source, what, where))
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(name, str) for name in data):
        got = 'a mapping with non-text names' if isinstance(data, dict) else type(data).__name__
        raise UserError('%s: %s must be a YAML mapping of variable names to values, got %s' % (source, what, got))
    return data


def plain(value):
    """value with Ansible's str/dict/list subclasses made plain, so yaml.safe_dump represents it."""
    if isinstance(value, dict):
        return dict((plain(name), plain(item)) for name, item in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bytes):
        return bytes(value)
    return value


def dump_variables(variables):
    """The YAML plaintext written for a mapping of variables (sorted, block style)."""
    if not isinstance(variables, dict) or not all(isinstance(name, str) for name in variables):
        raise UserError('content: must be a mapping of variable names to values')
    return yaml.safe_dump(plain(variables), default_flow_style=False, sort_keys=True,
                          allow_unicode=True).encode('utf-8')


def unseal_text(client, settings, text, source):
    """(target, plaintext bytes, rewrapped ciphertext or None) of a sealed file's text: one decrypt request.
    Errors name source."""
    sealed = _sealed_file.load(text, source)
    target = locate(client, settings, sealed.key)
    try:
        opened = _sealing.unseal(client, target, sealed.ciphertext)
    except UserError as exc:
        raise UserError('%s: %s' % (source, exc))
    return target, opened.plaintext, opened.rewrapped


def open_text(client, settings, text, source):
    """VarsFile of a sealed vars file's text: one decrypt request."""
    target, plaintext, rewrapped = unseal_text(client, settings, text, source)
    return VarsFile(parse_variables(plaintext, source), target, key_uri(target), rewrapped)


def seal_text(client, target, plaintext, envelope='auto', algorithm=None):
    """The text of a sealed vars file holding plaintext (YAML bytes), encrypted for target."""
    parse_variables(plaintext, 'content', 'the YAML')  # nothing is encrypted that the vars plugin could not read
    sealed = _sealing.seal(client, target, plaintext, envelope=envelope, algorithm=algorithm)
    return _sealed_file.dump(key_uri(target), sealed.ciphertext)


def changes(before, after):
    """Names (never values) of the variables added, removed and changed from before to after."""
    return {
        'added': sorted(set(after) - set(before)),
        'removed': sorted(set(before) - set(after)),
        'changed': sorted(name for name in set(before) & set(after) if plain(before[name]) != plain(after[name])),
    }


def same_target(one, other):
    return isinstance(one, Target) and isinstance(other, Target) and (one.key_id, one.region) == (
        other.key_id, other.region)
