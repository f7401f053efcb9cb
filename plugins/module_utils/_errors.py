# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The base of every error meant for the playbook author. Private.

Its message already names the option at fault and what is accepted, so module_errors() (modules)
and lookup_errors() (plugins) report it as it is, in one place each.
"""

from __future__ import annotations


class UserError(ValueError):
    pass
