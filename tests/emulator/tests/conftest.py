"""Fixtures of the emulator's own tests (``km_emulator`` comes from the scwkms_emulator pytest plugin)."""

import pytest

from emulator_helpers import Km
from scwkms_emulator import faults


@pytest.fixture
def km(km_emulator):
    return Km(km_emulator.url)


class FakeMonotonic:
    """Stands for the ``time`` module of faults.py: the propagation windows move only when a test says so."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def monotonic(monkeypatch):
    """The real monotonic time of the in-process emulator's eventual_consistency and iam_propagation windows, frozen."""
    fake = FakeMonotonic()
    monkeypatch.setattr(faults, "time", fake)
    return fake
