# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The command line of scripts/scwkms-vault-client.py, the ansible-vault password client. Private.

ansible-core runs an executable whose name ends in ``-client`` (before any extension) as
``<client> --vault-id <label>`` for ``--vault-id <label>@<client>`` (and ``--vault-id default`` for
``--vault-password-file <client>``), reads the password from its stdout (trailing CR/LF removed) and
its messages from stderr, and takes exit code 2 as "no secret for this label".

Exit codes: 0 done; 1 failed (credentials, Key Manager, a malformed sealed file, a file that cannot be
written); 2 no vault password is stored for the label (no sealed file, or a label that cannot name one);
3 the command line is wrong. Messages go to stderr and never hold a password or the secret key.
Only what a command needs is imported: ``show`` makes no request and never imports requests.
"""

from __future__ import annotations

import sys

from . import _vault_store as store

PROG = 'scwkms-vault-client'
EXIT_OK, EXIT_FAILED, EXIT_NO_SECRET, EXIT_USAGE = 0, 1, 2, 3
# Commands for which "nothing stored for this label" is the protocol's exit code 2.
READING = ('get', 'show', 'rewrap')
KEY_HELP = 'the Key Manager key: a key id, a key URI (scw-kms://regions/<region>/keys/<id>) or a key name'


class Usage(Exception):
    pass


class _Exit(Exception):
    def __init__(self, status):
        super().__init__(status)
        self.status = status


def _parser():
    import argparse

    class Parser(argparse.ArgumentParser):
        # argparse exits 2 on a usage error, which ansible-core would read as "no secret for this label".
        def error(self, message):
            raise Usage(message)

        def exit(self, status=0, message=None):
            if message:
                sys.stderr.write(message)
            raise _Exit(status)

    directory = Parser(add_help=False)
    # Before or after the command; SUPPRESS keeps a command's parser from resetting a --dir given before it.
    directory.add_argument('--dir', default=argparse.SUPPRESS, help='the directory of sealed files (default: $%s, '
                           'then [%s] %s in ansible.cfg, then ./%s)' % (
                               store.DIR_ENV, store.INI_SECTION, store.INI_KEY, store.DEFAULT_DIR))
    parser = Parser(prog=PROG, description='Vault passwords sealed with Scaleway Key Manager, one file per label.',
                    parents=[directory])
    parser.add_argument('--vault-id', metavar='LABEL', help='print the vault password of LABEL (what ansible-core runs)')
    commands = parser.add_subparsers(dest='command', metavar='COMMAND')
    commands.add_parser('get', parents=[directory], help='print the vault password of LABEL').add_argument('label')
    for name, what in (('create', 'seal a new random vault password for LABEL'),
                       ('import', 'seal the vault password read from stdin (or asked for on a terminal) for LABEL')):
        command = commands.add_parser(name, parents=[directory], help=what)
        command.add_argument('label')
        command.add_argument('--key', required=True, help=KEY_HELP)
        command.add_argument('--force', action='store_true', help='replace the password LABEL already has')
    show = commands.add_parser('show', parents=[directory],
                               help='which key protects LABEL (without LABEL: every label); no request')
    show.add_argument('label', nargs='?')
    rewrap = commands.add_parser('rewrap', parents=[directory],
                                 help='re-encrypt the password of LABEL under another key (--key), or under the '
                                      'newest rotation of its key; the password is unchanged')
    rewrap.add_argument('label')
    rewrap.add_argument('--key', help=KEY_HELP)
    return parser


def parse(argv):
    args = _parser().parse_args(argv)
    args.dir = getattr(args, 'dir', None)
    if args.vault_id is not None and args.command:
        raise Usage('--vault-id cannot be combined with a command')
    if args.vault_id is not None:
        args.command, args.label = 'get', args.vault_id
    if not args.command:
        raise Usage('give --vault-id LABEL or a command (--help lists them)')
    return args


def main(argv=None, environ=None, stdin=None, stdout=None, stderr=None):
    """Run one command; returns the exit code. The streams are binary (stdout carries the password)."""
    from ._vault_commands import Context, Failed, run
    stderr = stderr or sys.stderr.buffer
    try:
        args = parse(sys.argv[1:] if argv is None else argv)
    except Usage as exc:
        _say(stderr, '%s: %s (%s --help)' % (PROG, exc, PROG))
        return EXIT_USAGE
    except _Exit as exc:
        return EXIT_USAGE if exc.status else EXIT_OK
    try:
        run(Context(args, environ, stdin or sys.stdin.buffer, stdout or sys.stdout.buffer, stderr))
    except store.NoSecret as exc:
        _say(stderr, '%s: %s' % (PROG, exc))
        return EXIT_NO_SECRET if args.command in READING else EXIT_FAILED
    except (Failed, store.StoreError) as exc:
        _say(stderr, '%s: %s' % (PROG, exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    return EXIT_OK


def _say(stream, text):
    stream.write(text.encode('utf-8', 'replace') + b'\n')
    stream.flush()
