# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Compatibility only, until _asymmetric.py, the lookup and _keyring_run.py import _locator.py and
_apply.py: delete this file then. Private."""

from __future__ import annotations

from ._apply import apply_plan  # noqa: F401  pylint: disable=unused-import
from ._keyref import KeyRefError, parse_key_ref, validate_region
from ._locator import KeyNotUnique, find_by_name  # noqa: F401  pylint: disable=unused-import


def target_of(ref, settings, region=None):
    """(key_id or None, name or None, region) for a reference, validated before any request."""
    parsed = parse_key_ref(ref)
    if parsed.region and region and parsed.region != region:
        raise KeyRefError('key %s names region %s but region is %s' % (ref, parsed.region, region))
    return parsed.key_id, parsed.name, validate_region(parsed.region or region or settings.region)
