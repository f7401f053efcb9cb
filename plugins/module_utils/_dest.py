# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The dest file of scwkms_public_key and scwkms_sign: content, then mode/owner/group, check and diff
aware. Problems are UserError, turned into fail_json by module_errors() like every other. Private.

temporary_beside() and move_into_place() are also the one way the encryption modules (_crypt_io) write a file."""

from __future__ import annotations

import base64
import os
import tempfile
from contextlib import contextmanager

from ._errors import UserError


def read_existing(dest):
    """The bytes of dest, or None when it does not exist; UserError on a directory or a missing parent."""
    if os.path.isdir(dest):
        raise UserError('dest: %s is a directory; give a file path' % dest)
    parent = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(parent):
        raise UserError('dest: the directory %s does not exist' % parent)
    if not os.path.exists(dest):
        return None
    try:
        with open(dest, 'rb') as handle:
            return handle.read()
    except OSError as exc:
        raise UserError('dest: cannot read %s: %s' % (dest, exc.strerror or exc))


def write_dest(module, dest, content, current, binary=False):
    """Write content when it differs from current, then apply mode/owner/group/... .
    Returns (changed, diffs) where diffs is a list for the result's `diff` (content, then attributes)."""
    content_changed = current != content
    diffs = []
    if module._diff and content_changed:
        diffs.append({
            'before_header': dest if current is not None else '%s (absent)' % dest,
            'after_header': dest,
            'before': '' if current is None else _diff_text(current, binary),
            'after': _diff_text(content, binary),
        })
    if content_changed and not module.check_mode:
        _replace(module, dest, content)
    if module.check_mode and current is None:
        # The file does not exist yet, so its attributes cannot be compared: creating it is the change.
        return True, diffs
    attribute_diff = {'before': {'path': dest}, 'after': {'path': dest}}
    file_args = module.load_file_common_arguments(module.params, path=dest)
    changed = module.set_fs_attributes_if_different(file_args, content_changed, diff=attribute_diff)
    if module._diff and attribute_diff['before'] != attribute_diff['after']:
        diffs.append(attribute_diff)
    return changed, diffs


def _replace(module, dest, content):
    with temporary_beside(dest) as (stream, temporary):
        stream.write(content)
        stream.flush()
        move_into_place(module, temporary, dest)


@contextmanager
def temporary_beside(path):
    """A new 0600 file in path's directory, open for writing and reading; removed unless moved into place."""
    handle, temporary = tempfile.mkstemp(prefix='.scwkms-', dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(handle, 'w+b') as stream:
            yield stream, temporary
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def move_into_place(module, temporary, dest):
    # atomic_move's fallback path (another filesystem, a busy rename) creates its own temporary file in
    # dirname(dest), which is '' for a relative dest: give it the absolute path.
    module.atomic_move(temporary, os.path.abspath(dest), unsafe_writes=module.params.get('unsafe_writes'))


def _diff_text(data, binary):
    if binary:
        return 'binary, %d bytes, base64:\n%s\n' % (len(data), base64.b64encode(data).decode('ascii'))
    return data.decode('utf-8', 'replace')
