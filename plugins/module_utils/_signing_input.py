# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What scwkms_sign and scwkms_verify digest: content, content_b64, path or a given digest. Private.

An empty content and an empty content_b64 both mean the empty message (a legitimate message);
an empty digest is an error (no algorithm has a zero-length digest).
"""

from __future__ import annotations

import os

from ._algorithms import SIGNING_ALGORITHMS
from ._digest import DigestError, decode_base64, digest_file, digest_message, parse_digest
from ._target import key_option

INPUTS = ('content', 'content_b64', 'path', 'digest')


def input_argument_spec():
    """The options scwkms_sign and scwkms_verify share (doc fragments asymmetric, asymmetric.signing_input
    and algorithm.signing)."""
    return dict(
        key=key_option(),
        algorithm=dict(type='str', choices=list(SIGNING_ALGORITHMS)),
        content=dict(type='str', no_log=True),
        content_b64=dict(type='str', no_log=True),
        path=dict(type='path'),
        digest=dict(type='str'),
    )


def check_inputs(params):
    """Everything about the input that can be checked before a request."""
    if params['digest'] is not None:
        if params['algorithm'] is not None:
            parse_digest(params['digest'], params['algorithm'])
        else:
            _check_digest_length(params['digest'])
    if params['content_b64'] is not None:
        _message_b64(params['content_b64'])
    if params['path'] is not None:
        check_readable(params['path'])


def _check_digest_length(digest):
    """Without the algorithm the length must at least fit one of them (32 or 48 bytes)."""
    try:
        parse_digest(digest, 'ec_p256_sha256')
    except DigestError:
        try:
            parse_digest(digest, 'ec_p384_sha384')
        except DigestError as exc:
            raise DigestError(str(exc).replace(', but ec_p384_sha384 signs a 48-byte SHA-384 digest',
                                               ', but Key Manager signs 32-byte SHA-256 or 48-byte SHA-384 digests'))


def _message_b64(text):
    return decode_base64(text, 'content_b64', 'content', allow_empty=True)


def compute_digest(params, algorithm):
    """The digest of whichever input was given, for this algorithm's hash."""
    if params['digest'] is not None:
        return parse_digest(params['digest'], algorithm)
    if params['path'] is not None:
        return digest_file(params['path'], algorithm)
    if params['content_b64'] is not None:
        return digest_message(_message_b64(params['content_b64']), algorithm)
    return digest_message(params['content'].encode('utf-8'), algorithm)


def check_readable(path, option='path'):
    """Fail early (before any request) when a file to digest cannot be opened."""
    if os.path.isdir(path):
        raise DigestError('%s: %s is a directory' % (option, path))
    try:
        with open(path, 'rb'):
            pass
    except OSError as exc:
        raise DigestError('%s: cannot read %s: %s' % (option, path, exc.strerror or exc))


def read_signature(params):
    """The signature to verify, from `signature` (base64) or the binary file `signature_path`."""
    if params['signature'] is not None:
        return decode_base64(params['signature'], 'signature', 'signature')
    check_readable(params['signature_path'], 'signature_path')
    with open(params['signature_path'], 'rb') as handle:
        return handle.read()
