"""pytest plugin (registered through the ``pytest11`` entry point).

* ``km_emulator``: one in-process emulator for the whole session, reset before each test (no
  keys, no log, no faults, real time), so tests are isolated and fast;
* ``km_emulator_process``: one ``python -m scwkms_emulator`` subprocess for the session, for tests
  that need a separate process (signals, real sockets from another interpreter); not reset.
"""

import pytest

from .testing import EmulatorProcess, running_emulator


@pytest.fixture(scope="session")
def km_emulator_session():
    with running_emulator() as handle:
        yield handle


@pytest.fixture
def km_emulator(km_emulator_session):  # pylint: disable=redefined-outer-name
    km_emulator_session.reset()
    return km_emulator_session


@pytest.fixture(scope="session")
def km_emulator_process():
    with EmulatorProcess() as process:
        yield process
