# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What each command of the vault password client does (the command line is _vault_client.py). Private.

Requests: get 1 (/decrypt); show 0; create and import 2 for a key id (read the key, /encrypt) or a
key name (list, /encrypt); rewrap 1, plus those of sealing under --key. The key of a sealed file is
taken from the file, so reading a password never looks the key up.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager

from ..module_utils._errors import KeyManagerError, UserError
from ..module_utils._options import package_of
from . import _vault_store as store

# 32 random bytes in URL-safe base64 (43 characters): printable, so it survives ansible-core's reading of stdout.
PASSWORD_BYTES = 32
SCRIPT = 'scwkms-vault-client.py'


class Failed(Exception):
    """A command failed; the message is ready for stderr and names the label and the file at fault."""


class Context:
    """The parsed command line, the environment, the binary streams and the directory of sealed files."""

    def __init__(self, args, environ, stdin, stdout, stderr):
        self.args, self.stdin, self.stdout, self.stderr = args, stdin, stdout, stderr
        self.environ = os.environ if environ is None else environ
        self.directory, self.origin = store.resolve_dir(args.dir, self.environ)

    def say(self, text, stream=None):
        stream = stream or self.stdout
        stream.write(text.encode('utf-8', 'replace') + b'\n')
        stream.flush()

    def connect(self):
        """(settings, client) from SCW_* and the scw config profile, as the modules resolve them."""
        from ..module_utils._options import REQUESTS, import_error
        from ..module_utils._credentials import resolve_settings
        if import_error(REQUESTS):
            raise Failed('the requests Python package is required (pip install requests)')
        from ..module_utils._client import KeyManagerClient
        settings = resolve_settings({}, self.environ)
        for warning in settings.warnings:
            self.say('[WARNING]: %s' % warning, self.stderr)
        return settings, KeyManagerClient(settings)


@contextmanager
def failures(label, path):
    """Every error of a command as one Failed naming the label and its file; none of them holds a secret."""
    try:
        yield
    except (Failed, store.NoSecret):
        raise
    except store.StoreError as exc:
        raise Failed('label %r: %s' % (label, exc)) from None
    except UserError as exc:
        raise Failed('label %r (%s): %s' % (label, path, exc)) from None
    except KeyManagerError as exc:
        raise Failed('label %r (%s): Key Manager API call failed: %s' % (label, path, exc)) from None
    except ImportError as exc:
        raise Failed('label %r: the %s Python package is required' % (label, package_of(exc.name or '?'))) from None


def run(context):
    COMMANDS[context.args.command](context)


def load(context, label):
    """(SealedFile, path) of a label; NoSecret when it has none."""
    path = store.label_path(context.directory, label)
    try:
        text = store.read(context.directory, label)
    except store.NoSecret as exc:
        raise store.NoSecret('%s (directory from %s); create one with: %s create %s --key <key>' % (
            exc, context.origin, SCRIPT, label)) from None
    from ..module_utils import _sealed_file
    with failures(label, path):
        return _sealed_file.load(text, 'sealed file'), path


def unseal(client, settings, sealed, label):
    """The label's password: one /decrypt request (a key named by its URI is not read first)."""
    from ..module_utils import _sealing, _target
    target = _target.locate(client, settings, sealed.key)
    try:
        return _sealing.unseal(client, target, sealed.ciphertext, store.associated_data(label))
    except _sealing.SealingError as exc:
        if 'does not decrypt' not in str(exc):
            raise
        raise _sealing.SealingError('%s; this client binds a password to its label, so a file copied or renamed '
                                    'from another label does not decrypt either' % exc) from None


def seal(client, settings, key_ref, password, label):
    """(key URI, sealed file text) of the password under key_ref, bound to the label."""
    from ..module_utils import _sealed_file, _sealing, _target
    target = _target.locate(client, settings, key_ref)
    sealed = _sealing.seal(client, target, password, associated_data=store.associated_data(label))
    uri = _sealed_file.key_uri(target.key_id, target.region)
    return uri, sealed_text(uri, sealed.ciphertext, label)


def sealed_text(uri, ciphertext, label):
    from ..module_utils import _sealed_file
    comment = 'The ansible-vault password of label %s: ansible-vault --vault-id %s@%s' % (label, label, SCRIPT)
    return _sealed_file.dump(uri, ciphertext, comment=comment)


def get(context):
    label = context.args.label
    sealed, path = load(context, label)
    with failures(label, path):
        settings, client = context.connect()
        opened = unseal(client, settings, sealed, label)
    context.stdout.write(opened.plaintext + b'\n')
    context.stdout.flush()


def create(context):
    _seal_new(context, secrets.token_urlsafe(PASSWORD_BYTES).encode('ascii'), 'a new random')


def import_password(context):
    _seal_new(context, _read_password(context), 'the given')


def _seal_new(context, password, what):
    label, args = context.args.label, context.args
    path = store.label_path(context.directory, label)
    if not args.force:
        # Before any request; store.write checks again, atomically.
        store.refuse_existing(context.directory, label)
    with failures(label, path):
        settings, client = context.connect()
        uri, text = seal(client, settings, args.key, password, label)
        store.write(context.directory, label, text, replace=args.force)
    context.say('label %s: %s vault password sealed under key %s in %s' % (label, what, uri, path))


def _read_password(context):
    """The password from stdin (a terminal is asked twice), without surrounding whitespace, as ansible-core
    reads a password file."""
    label = context.args.label
    if context.stdin.isatty():
        import getpass
        first = getpass.getpass('Vault password for label %s: ' % label)
        if getpass.getpass('Again: ') != first:
            raise Failed('label %r: the two passwords differ; nothing written' % label)
        data = first.encode('utf-8')
    else:
        data = context.stdin.read()
    password = data.strip()
    if not password:
        raise Failed('label %r: no password on stdin; nothing written' % label)
    return password


def show(context):
    labels = [context.args.label] if context.args.label else store.labels(context.directory)
    if not labels:
        context.say('no sealed vault password in %s (directory from %s)' % (context.directory, context.origin))
    for label in labels:
        sealed, path = load(context, label)
        context.say('%s\t%s\t%s' % (label, sealed.key, path))


def rewrap(context):
    label, key = context.args.label, context.args.key
    sealed, path = load(context, label)
    with failures(label, path):
        settings, client = context.connect()
        opened = unseal(client, settings, sealed, label)
        if key:
            uri, text = seal(client, settings, key, opened.plaintext, label)
            done = 'under key %s (it was under %s)' % (uri, sealed.key)
        elif opened.rewrapped:
            text = sealed_text(sealed.key, opened.rewrapped, label)
            done = 'under the newest rotation of key %s' % sealed.key
        else:
            context.say('label %s: already under the newest rotation of key %s; nothing written' % (label, sealed.key))
            return
        store.write(context.directory, label, text, replace=True)
    context.say('label %s: vault password re-encrypted %s in %s' % (label, done, path))


COMMANDS = {'get': get, 'create': create, 'import': import_password, 'show': show, 'rewrap': rewrap}
