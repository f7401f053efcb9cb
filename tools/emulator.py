"""The Key Manager emulator as a subprocess, for the demo, the integration tests and the benchmark.

The emulator package's own ``EmulatorProcess`` (installed in .venv) does the work, by the command line
contract of docs/developing.md: ``python -m scwkms_emulator --host 127.0.0.1 --port 0`` prints its base
URL as the first stdout line, and SIGTERM to its PID stops it. This module adds what the harness needs
on top: the PID for messages, the whole request log in one call, and a stop that cannot fail.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from scwkms_emulator.testing import EmulatorProcess

from tools.paths import VENV_PYTHON

STARTUP_TIMEOUT = 20.0


class HarnessEmulator(EmulatorProcess):
    """Use as a context manager: started on entry, stopped on exit whatever happened in the block."""

    @property
    def pid(self) -> int:
        return self.process.pid

    def request_log(self) -> dict:
        """``{"requests": [...], "counts": {route: n}}``: the API calls made so far."""
        return self.control("GET", "requests")

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM by PID (EmulatorProcess.stop), then SIGKILL if it has not exited in time."""
        try:
            return super().stop(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def running_emulator(*extra_args: str, python: Path = VENV_PYTHON) -> HarnessEmulator:
    """An emulator on a free loopback port: ``with running_emulator() as emulator: ... emulator.url``."""
    return HarnessEmulator(*extra_args, python=str(python), startup_timeout=STARTUP_TIMEOUT)
