# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The command line of scripts/scwkms-vars: encrypted vars files (_vars_file) from a shell. Private.

  scwkms-vars encrypt --key KEY [--input FILE] FILE   YAML from stdin (or --input) into FILE
  scwkms-vars decrypt FILE                            the YAML on stdout
  scwkms-vars edit [--key KEY] FILE                   decrypt, $VISUAL/$EDITOR, encrypt again when changed
  scwkms-vars show FILE                               the key that decrypts FILE (no request)

Credentials and settings as the modules read them without options: SCW_* environment, then the scw config
profile (--profile, --config-file select one). Requests: decrypt and edit 1 (/decrypt); encrypt and a changed
edit as _sealing.seal (1 /encrypt, plus 1 GET of a key given by id or 1 list for a name). The YAML is kept as
written (comments too) and checked to be a mapping first. Files are written 0600, atomically. edit puts the
plaintext in a 0600 file of a private temporary directory while the editor runs, and removes it after.
Exit codes: 0 done, 1 failed (message on stderr, never a value or the secret key), 2 bad command line.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile

from ..module_utils._client import KeyManagerClient, KeyManagerError
from ..module_utils._credentials import resolve_settings
from ..module_utils._errors import UserError
from ..module_utils._sealed_file import load
from ..module_utils._target import locate
from ..module_utils._vars_file import parse_variables, seal_text, unseal_text

PROG = 'scwkms-vars'


def parser():
    top = argparse.ArgumentParser(prog=PROG, description='Encrypted vars files for the scwkms.key_manager.scwkms '
                                  'vars plugin, sealed with Scaleway Key Manager.')
    top.add_argument('--profile', help='profile of the Scaleway config file (default: SCW_PROFILE, active_profile)')
    top.add_argument('--config-file', help='Scaleway config file (default: SCW_CONFIG_PATH, ~/.config/scw/config.yaml)')
    commands = top.add_subparsers(dest='command', required=True)
    encrypt = commands.add_parser('encrypt', help='encrypt YAML variables from stdin or --input into FILE')
    encrypt.add_argument('--key', required=True, help='key id, key URI or key name')
    encrypt.add_argument('--input', help='read the YAML from this file instead of stdin')
    encrypt.add_argument('--envelope', choices=('auto', 'always', 'never'), default='auto')
    commands.add_parser('decrypt', help='print the YAML variables of FILE')
    edit = commands.add_parser('edit', help='edit FILE with $VISUAL or $EDITOR (a new file needs --key)')
    edit.add_argument('--key', help='encrypt with this key (default: the key of FILE)')
    commands.add_parser('show', help='print the key that decrypts FILE')
    for command in commands.choices.values():
        command.add_argument('file', metavar='FILE')
    return top


def main(argv=None, stdin=None, stdout=None, stderr=None):
    args = parser().parse_args(argv)
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        COMMANDS[args.command](args, stdin or sys.stdin, stdout)
    except UserError as exc:
        stderr.write('%s: %s\n' % (PROG, exc))
    except KeyManagerError as exc:
        stderr.write('%s: %s: Key Manager API call failed: %s\n' % (PROG, args.file, exc))
    except OSError as exc:
        stderr.write('%s: %s: %s\n' % (PROG, exc.filename or args.file, exc.strerror or exc))
    else:
        return 0
    return 1


def connect(args):
    try:
        settings = resolve_settings({'profile': args.profile, 'config_file': args.config_file})
    except UserError as exc:
        raise UserError('%s: %s' % (args.file, exc))
    for warning in settings.warnings:
        sys.stderr.write('%s: warning: %s\n' % (PROG, warning))
    return settings, KeyManagerClient(settings)


def read_text(path):
    with open(path, 'rb') as handle:
        return handle.read().decode('utf-8')


def write_text(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix='.scwkms-vars-', dir=directory)
    try:
        with os.fdopen(handle, 'w') as stream:
            stream.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def encrypt(args, stdin, stdout):
    plaintext = (read_text(args.input) if args.input else stdin.read()).encode('utf-8')
    parse_variables(plaintext, args.input or 'stdin', 'the YAML')
    settings, client = connect(args)
    write_text(args.file, seal_text(client, locate(client, settings, args.key), plaintext, args.envelope))


def decrypt(args, stdin, stdout):
    settings, client = connect(args)
    stdout.write(opened_text(client, settings, args.file)[1])


def opened_text(client, settings, path):
    """(target, YAML text) of a vars file, decrypted with one request."""
    target, plaintext, _rewrapped = unseal_text(client, settings, read_text(path), path)
    try:
        return target, plaintext.decode('utf-8')
    except UnicodeDecodeError:
        raise UserError('%s: the decrypted content is not UTF-8 text' % path)


def show(args, stdin, stdout):
    stdout.write(load(read_text(args.file), args.file).key + '\n')


def edit(args, stdin, stdout):
    settings, client = connect(args)
    target, before = (None, '') if not os.path.exists(args.file) else opened_text(client, settings, args.file)
    if args.key:
        target = locate(client, settings, args.key)
    if target is None:
        raise UserError('--key is required to create a file')
    after = run_editor(before)
    if after == before and not args.key:
        stdout.write('%s: %s unchanged\n' % (PROG, args.file))
        return
    parse_variables(after.encode('utf-8'), args.file, 'the edited YAML')
    write_text(args.file, seal_text(client, target, after.encode('utf-8')))


def run_editor(text):
    editor = shlex.split(os.environ.get('VISUAL') or os.environ.get('EDITOR') or 'vi')
    with tempfile.TemporaryDirectory(prefix='scwkms-vars-') as directory:
        path = os.path.join(directory, 'vars.yml')
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), 'w') as stream:
            stream.write(text)
        if subprocess.call(editor + [path]) != 0:
            raise UserError('the editor %s failed; nothing was written' % editor[0])
        return read_text(path)


COMMANDS = {'encrypt': encrypt, 'decrypt': decrypt, 'edit': edit, 'show': show}
