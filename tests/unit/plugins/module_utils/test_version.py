# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The version the code reports (user agent) is galaxy.yml's."""

from __future__ import annotations

import pathlib

import yaml

from ansible_collections.scwkms.key_manager.plugins.module_utils._calls import USER_AGENT
from ansible_collections.scwkms.key_manager.plugins.module_utils._version import COLLECTION_VERSION

GALAXY = pathlib.Path(__file__).resolve().parents[4] / 'galaxy.yml'


def test_the_collection_version_is_galaxy_yml_s():
    assert COLLECTION_VERSION == yaml.safe_load(GALAXY.read_text(encoding='utf-8'))['version']


def test_the_user_agent_carries_it():
    assert USER_AGENT == 'scwkms.key_manager/%s (Ansible collection)' % COLLECTION_VERSION
