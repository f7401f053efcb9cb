# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Inputs and outputs of scwkms_encrypt and scwkms_decrypt: sources read as streams, the size a result may
hold, and dest files written through a temporary file beside them (mode 0600 from the start when the task
gives no mode), with diffs that never show data. Private."""

from __future__ import annotations

import io
import os

from ._dest import move_into_place
from ._digest import decode_base64
from ._errors import UserError
from ._signing_input import check_readable

RESULT_LIMIT = 16 * 1024 * 1024
"""The most bytes a result carries (as base64): a module result is held several times in memory (bytes, base64,
JSON) on the managed node and on the controller, so larger data goes to dest, streamed."""
CHUNK_SIZE = 1024 * 1024


def open_source(params, text_option, b64_option, what):
    """(stream, size) of whichever input was given: the text (UTF-8), the base64 option or the file `path`."""
    if params.get(b64_option) is not None:
        data = decode_base64(params[b64_option], b64_option, what, allow_empty=True)
    elif params.get(text_option) is not None:
        data = params[text_option].encode('utf-8')
    else:
        check_readable(params['path'])
        stream = open(params['path'], 'rb')
        return stream, os.fstat(stream.fileno()).st_size
    return io.BytesIO(data), len(data)


def associated_data(params):
    return (params.get('associated_data') or '').encode('utf-8')


def check_result_size(size, what):
    if size > RESULT_LIMIT:
        raise UserError('the %s is %d bytes, but a task result holds at most %d bytes (16 MiB); write it to a file '
                        'with dest, which streams data of any size' % (what, size, RESULT_LIMIT))


def dest_exists(dest, option='dest'):
    """Whether dest exists; UserError on a directory or a missing parent (before any request)."""
    if os.path.isdir(dest):
        raise UserError('%s: %s is a directory; give a file path' % (option, dest))
    parent = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(parent):
        raise UserError('%s: the directory %s does not exist' % (option, parent))
    return os.path.exists(dest)


def place(module, temporary, dest, existed):
    """Move temporary over dest (not in check mode), then apply the file options; (changed, attribute diff)."""
    if not module.check_mode:
        # A new file must never be readable by others, not even between the move and the chmod of mode.
        umask = os.umask(0o077) if not existed else None
        try:
            move_into_place(module, temporary, dest)
        finally:
            if umask is not None:
                os.umask(umask)
    return attributes(module, dest, True, existed)


def attributes(module, dest, content_changed, existed):
    """Apply mode/owner/group/... (mode 0600 for a file this task creates without a mode)."""
    if module.check_mode and not existed:
        return True, None
    file_args = module.load_file_common_arguments(module.params, path=dest)
    if file_args.get('mode') is None and not existed:
        file_args['mode'] = '0600'
    diff = {'before': {'path': dest}, 'after': {'path': dest}}
    changed = module.set_fs_attributes_if_different(file_args, content_changed, diff=diff)
    return changed, (diff if diff['before'] != diff['after'] else None)


def content_diff(dest, before, after):
    """A diff entry that names what changed without showing it (before/after: descriptions or None)."""
    return {'before_header': dest if before is not None else '%s (absent)' % dest, 'after_header': dest,
            'before': '' if before is None else before + '\n', 'after': after + '\n'}


def same_content(stream, path):
    """Whether the rest of stream equals the file at path, compared in chunks."""
    if not os.path.isfile(path):
        return False
    with open(path, 'rb') as other:
        for chunk in iter(lambda: stream.read(CHUNK_SIZE), b''):
            if other.read(len(chunk)) != chunk:
                return False
        return other.read(1) == b''


class Comparing(object):
    """A sink that only compares what is written with a stream (the plaintext dest already decrypts to)."""

    def __init__(self, expected):
        self.expected = expected
        self.equal = True

    def write(self, data):
        if self.equal and self.expected.read(len(data)) != data:
            self.equal = False

    def matched(self):
        return self.equal and self.expected.read(1) == b''


class Discard(object):
    def write(self, data):
        return len(data)
