# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Keys and connection options for the scwkms_public_key / scwkms_sign / scwkms_verify tests against the in-process emulator."""

from __future__ import annotations

import uuid

SECRET = str(uuid.uuid4())
PROJECT = str(uuid.uuid4())


def connection(emulator, **options):
    args = {'api_url': emulator.url, 'secret_key': SECRET, 'project_id': PROJECT, 'region': 'fr-par',
            'max_retries': 0}
    args.update(options)
    return args


def client_for(emulator):
    from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerClient
    from ansible_collections.scwkms.key_manager.plugins.module_utils._credentials import resolve_settings
    settings = resolve_settings({'api_url': emulator.url, 'secret_key': SECRET, 'project_id': PROJECT,
                                 'region': 'fr-par'}, environ={})
    return KeyManagerClient(settings)


def create_key(emulator, algorithm, name=None):
    return client_for(emulator).create_key(name=name or 'test-%s' % algorithm, algorithm=algorithm, protected=False)


def api_calls(emulator):
    """Requests per route since the last clear, e.g. {'GET /keys/{key_id}/public-key': 1}."""
    return dict((route, count) for route, count in emulator.counts().items() if count)
