"""Fixtures of the emulator's own tests (``km_emulator`` comes from the scwkms_emulator pytest plugin)."""

import pytest

from emulator_helpers import Km


@pytest.fixture
def km(km_emulator):
    return Km(km_emulator.url)
