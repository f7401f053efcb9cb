"""Run the Key Manager emulator as a subprocess for the demo, the integration tests and the benchmark.

Only the command line contract of docs/developing.md is used: ``python -m scwkms_emulator --host
127.0.0.1 --port 0`` prints its base URL as the first stdout line and stops on SIGTERM.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from tools.paths import REPO_ROOT, VENV_PYTHON

STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class RunningEmulator:
    url: str
    pid: int

    def control(self, method: str, name: str) -> dict:
        """Call a /_emulator/<name> control endpoint and return its JSON answer."""
        request = urllib.request.Request("%s/_emulator/%s" % (self.url, name), method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else {}

    def request_log(self) -> dict:
        """``{"requests": [...], "counts": {route: n}}``: the API calls made so far."""
        return self.control("GET", "requests")


def read_url_line(process: subprocess.Popen, timeout: float) -> str:
    """The first stdout line, which the contract says is the base URL; '' if none came in time."""
    readable = select.select([process.stdout], [], [], timeout)[0]
    return process.stdout.readline().decode().strip() if readable else ""


def drain_in_background(stream) -> None:
    """Keep reading stdout so that a chatty emulator never blocks on a full pipe."""
    threading.Thread(target=stream.read, daemon=True).start()


def stop(process: subprocess.Popen) -> None:
    """SIGTERM by PID, then SIGKILL if it does not exit in time."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def running_emulator(*extra_args: str, python: Path = VENV_PYTHON) -> Iterator[RunningEmulator]:
    """Start an emulator on a free loopback port; it is stopped when the block exits, whatever happens."""
    command = [str(python), "-m", "scwkms_emulator", "--host", "127.0.0.1", "--port", "0", *extra_args]
    # stderr is inherited: the emulator's own errors show up in the terminal next to what caused them.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=REPO_ROOT)  # pylint: disable=consider-using-with
    try:
        url = read_url_line(process, STARTUP_TIMEOUT)
        if not url.startswith("http://"):
            raise RuntimeError("the emulator did not print its URL within %.0f s (exit code %s): %s"
                               % (STARTUP_TIMEOUT, process.poll(), " ".join(command)))
        drain_in_background(process.stdout)
        emulator = RunningEmulator(url=url, pid=process.pid)
        emulator.control("GET", "health")
        yield emulator
    finally:
        stop(process)
