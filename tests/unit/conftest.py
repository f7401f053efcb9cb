# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures shared by the unit tests. The names tests import (identities, builders, routes) are in
tests/unit/plugins/support.py: a conftest is loaded by pytest, not meant to be imported."""

from __future__ import annotations

import collections

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerClient
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import emulator_settings

Api = collections.namedtuple('Api', 'emulator settings client')


@pytest.fixture
def api(km_emulator):
    """The reset in-process emulator, settings that reach it (retries bounded at 20 s) and a client."""
    settings = emulator_settings(km_emulator, retry_deadline=20)
    return Api(km_emulator, settings, KeyManagerClient(settings))
