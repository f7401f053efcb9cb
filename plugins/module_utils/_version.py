# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's version, written once for the code (the user agent); a unit test keeps it equal
to galaxy.yml's. Private."""

from __future__ import annotations

COLLECTION_VERSION = '0.2.0'
