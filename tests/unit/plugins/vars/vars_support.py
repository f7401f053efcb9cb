# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Encrypted vars files for tests, written and read through the collection's own helper (_vars_file)."""

from __future__ import annotations

from ansible_collections.scwkms.key_manager.plugins.module_utils._target import Target
from ansible_collections.scwkms.key_manager.plugins.module_utils._vars_file import dump_variables, open_text, seal_text
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import client_for, emulator_settings


def sealed_vars(emulator, key_id, variables, envelope='auto'):
    """The text of a vars file holding variables, sealed under key_id (fr-par)."""
    return seal_text(client_for(emulator), Target(key_id, 'fr-par', None, key_id), dump_variables(variables), envelope)


def write_vars_file(emulator, path, key_id, variables, envelope='auto'):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sealed_vars(emulator, key_id, variables, envelope))
    return path


def read_vars_file(emulator, path):
    return open_text(client_for(emulator), emulator_settings(emulator), path.read_text(), str(path)).variables
