"""Helpers to run the emulator from tests and harnesses.

* ``running_emulator(**options)``: context manager serving an in-process emulator in a thread,
  yielding an ``EmulatorHandle``;
* ``EmulatorProcess(*cli_args)``: the emulator as a subprocess (``python -m scwkms_emulator``),
  stopped by PID with SIGTERM;
* ``running_capture_server()``: a server that records every request it receives (``capture.py``),
  the target of a ``redirect`` fault, to check that it received nothing.

The first two expose ``.url`` and the control helpers of ``ControlClient``.
"""

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import urllib.request

from .auth import credentials_from_mapping, load_credentials
from .capture import running_capture_server
from .emulator import Emulator
from .server import EmulatorHTTPServer, start_in_thread

__all__ = ["ControlClient", "EmulatorHandle", "EmulatorProcess", "running_capture_server", "running_emulator"]


class ControlClient:
    """The ``/_emulator/*`` control endpoints over HTTP; subclasses set ``url``."""

    url = None

    def control(self, method, name, document=None):
        data = None if document is None else json.dumps(document).encode()
        request = urllib.request.Request("%s/_emulator/%s" % (self.url, name), data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def health(self):
        return self.control("GET", "health")

    def requests(self):
        """The logged API requests: dicts with seq, method, path, route, query, status and fault."""
        return self.control("GET", "requests")["requests"]

    def counts(self):
        """Requests per route name, e.g. ``{"GET /keys/{key_id}": 3}``."""
        return self.control("GET", "requests")["counts"]

    def clear_requests(self):
        self.control("DELETE", "requests")

    def reset(self):
        self.control("POST", "reset")

    def now(self):
        return self.control("GET", "clock")["now"]

    def advance(self, seconds):
        return self.control("POST", "clock", {"advance_seconds": seconds})["now"]

    def set_now(self, timestamp):
        return self.control("POST", "clock", {"now": timestamp})["now"]

    def set_faults(self, rules, seed=0):
        """Replace the fault rules (see faults.py for the rule format)."""
        return self.control("POST", "faults", {"seed": seed, "rules": list(rules)})

    def faults(self):
        return self.control("GET", "faults")

    def clear_faults(self):
        self.control("DELETE", "faults")

    def set_locked(self, key_id, locked=True):
        return self.control("POST", "keys/%s/locked" % key_id, {"locked": locked})


class EmulatorHandle(ControlClient):
    """An in-process emulator: ``.emulator`` gives direct access to its state."""

    def __init__(self, emulator, url):
        self.emulator = emulator
        self.url = url


def _credentials(credentials):
    """Credentials given as a file path or as a mapping; None keeps single-user mode."""
    if credentials is None:
        return None
    if isinstance(credentials, dict):
        return credentials_from_mapping(credentials)
    return load_credentials(os.fspath(credentials))


@contextlib.contextmanager
def running_emulator(host="127.0.0.1", port=0, verbose=False, credentials=None, **options):
    """Serve an emulator in a thread for the duration of the block.

    ``credentials`` is a path or a ``{secret_key: [project_id, ...]}`` mapping; other options go to
    ``Emulator`` (``faults``, ``rsa_pool_size``, ``request_log_limit``).
    """
    emulator = Emulator(credentials=_credentials(credentials), **options)
    server = EmulatorHTTPServer((host, port), emulator, verbose=verbose)
    start_in_thread(server)
    try:
        yield EmulatorHandle(emulator, server.url)
    finally:
        server.shutdown()
        server.server_close()
        emulator.close()


class EmulatorProcess(ControlClient):
    """``python -m scwkms_emulator`` in a subprocess; ``cli_args`` are extra command line flags."""

    def __init__(self, *cli_args, python=sys.executable, startup_timeout=10.0, env=None):
        self.command = [python, "-m", "scwkms_emulator", "--host", "127.0.0.1", "--port", "0", *cli_args]
        self.startup_timeout = startup_timeout
        self.env = env
        self.process = None

    def start(self):
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, env=self.env)  # pylint: disable=consider-using-with
        readable = select.select([self.process.stdout], [], [], self.startup_timeout)[0]
        first_line = self.process.stdout.readline().decode().strip() if readable else ""
        if not first_line.startswith("http"):
            self.stop()
            raise RuntimeError("the emulator did not print its URL within %.0f s" % self.startup_timeout)
        self.url = first_line
        return self

    def stop(self, timeout=10.0):
        """SIGTERM by PID and wait; returns the exit code."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
        code = self.process.wait(timeout)
        self.process.stdout.close()
        return code

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
