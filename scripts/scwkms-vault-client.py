#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ansible-vault password client backed by Scaleway Key Manager.

  ansible-vault encrypt --vault-id prod@<collection>/scripts/scwkms-vault-client.py secrets.yml
  ansible-playbook --vault-id prod@<collection>/scripts/scwkms-vault-client.py site.yml
  scwkms-vault-client.py create prod --key <key id, URI or name>    (a new random password)
  scwkms-vault-client.py import prod --key <key> < old-password-file
  scwkms-vault-client.py show [prod]                                  (which key; no request)
  scwkms-vault-client.py rewrap prod [--key <other key>]

The name ends in "-client" (before the extension), which is how ansible-core knows to pass --vault-id.
See docs/docsite/rst/guide_vault_client.rst; the code is plugins/plugin_utils/_vault_client.py.
"""

import importlib
import os
import sys
import types

# Loaded under a private package name from this file's own collection tree (symbolic links to the script
# followed), whatever is on sys.path: the client uses the collection it ships in, never another copy.
PACKAGE = '_scwkms_vault_client_plugins'


def load_client():
    plugins = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), 'plugins')
    package = types.ModuleType(PACKAGE)
    package.__path__ = [plugins]
    sys.modules[PACKAGE] = package
    return importlib.import_module(PACKAGE + '.plugin_utils._vault_client')


if __name__ == '__main__':
    sys.exit(load_client().main())
