# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the unit tests share: identities, the one key builder, the one keyring entry builder, the emulator's
route names and the way to reach the in-process emulator as a module or a client does.

A plain module rather than conftest.py because test files import these names (pytest runs with
--import-mode=importlib, so tests reach it as ansible_collections.scwkms.key_manager.tests.unit.plugins.support);
the fixtures built on it are in tests/unit/conftest.py."""

from __future__ import annotations

import datetime

from ansible_collections.scwkms.key_manager.tests.unit.plugins.modules.module_runner import run_module

# Fixed rather than random: the emulator is reset before each test, and a fixed value makes a failure
# message reproducible.
SECRET = '11111111-2222-3333-4444-555555555555'
PROJECT = '105bdce1-64c0-48ab-899d-868455867ecf'
KEY_ID = '9d0ae4f2-276f-44d0-b7f5-7631bdf9680f'
NOW = datetime.datetime(2026, 11, 23, 12, 0, 0, tzinfo=datetime.timezone.utc)
TAG = 'managed-by:scwkms-keyring'

# Routes as the emulator counts them (km_emulator.counts()).
LIST = 'GET /keys'
GET_KEY = 'GET /keys/{key_id}'
PUBLIC_KEY = 'GET /keys/{key_id}/public-key'
SIGN = 'POST /keys/{key_id}/sign'
VERIFY = 'POST /keys/{key_id}/verify'
ENCRYPT = 'POST /keys/{key_id}/encrypt'
DECRYPT = 'POST /keys/{key_id}/decrypt'

_ENTRY_FIELDS = ('state', 'algorithm', 'description', 'tags', 'purge_tags', 'rotation_period',
                 'rotate_if_older_than', 'rotate', 'enabled', 'protected')


def key(**fields):
    """A key with every field the API returns; the fields given replace the defaults."""
    base = {'id': KEY_ID, 'project_id': PROJECT, 'name': 'k', 'usage': {'symmetric_encryption': 'aes_256_gcm'},
            'state': 'enabled', 'rotation_count': 1, 'created_at': '2026-11-01T00:00:00Z',
            'updated_at': '2026-11-01T00:00:00Z', 'rotated_at': '2026-11-01T00:00:00Z', 'protected': False,
            'locked': False, 'description': None, 'tags': [], 'rotation_policy': None, 'origin': 'scaleway_kms',
            'deletion_requested_at': None, 'protection_level': 'software', 'region': 'fr-par'}
    base.update(fields)
    return base


def raw(name, **fields):
    """A keyring entry as AnsibleModule leaves it: every suboption present, None when not given."""
    entry = dict.fromkeys(_ENTRY_FIELDS)
    entry.update(name=name, **fields)
    return entry


def connection(emulator, **options):
    """Module arguments reaching the emulator; no retries unless a test asks for them."""
    args = {'api_url': emulator.url, 'secret_key': SECRET, 'project_id': PROJECT, 'region': 'fr-par',
            'max_retries': 0}
    args.update(options)
    return args


def emulator_settings(emulator, **options):
    from ansible_collections.scwkms.key_manager.plugins.module_utils._credentials import resolve_settings
    return resolve_settings(dict({'api_url': emulator.url, 'secret_key': SECRET, 'project_id': PROJECT,
                                  'region': 'fr-par'}, **options), environ={})


def client_for(emulator, **options):
    from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerClient
    return KeyManagerClient(emulator_settings(emulator, **options))


def create_key(emulator, algorithm, name=None):
    return client_for(emulator).create_key(name=name or 'test-%s' % algorithm, algorithm=algorithm, protected=False)


def lookup_with_options(module, defaults, emulator, **options):
    """A LookupModule of the lookup `module` whose set_options() sets `defaults` updated with a connection to the
    emulator and `options`, as they are; the option plumbing itself is exercised by playbook tests."""
    plugin = module.LookupModule()
    values = dict(defaults, api_url=emulator.url, secret_key=SECRET, project_id=PROJECT, region='fr-par')
    values.update(options)

    def set_options(task_keys=None, var_options=None, direct=None):
        plugin._options = dict(values)
    plugin.set_options = set_options
    return plugin


def api_calls(emulator):
    """Requests per route since the last clear, e.g. {'GET /keys/{key_id}/public-key': 1}."""
    return dict((route, count) for route, count in emulator.counts().items() if count)


def task(module, emulator, check_mode=False, diff=False, **args):
    """(result, failed) of one run of module's main() against the emulator, with connection() arguments."""
    return run_module(module.main, connection(emulator, **args), check_mode=check_mode, diff=diff)
