"""``python -m scwkms_emulator``: first stdout line, flags, SIGTERM."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import requests

from emulator_helpers import Km
from scwkms_emulator.testing import EmulatorProcess


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_prints_url_first_within_a_second_and_stops_on_sigterm():
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "scwkms_emulator", "--host", "127.0.0.1", "--port", "0"], stdout=subprocess.PIPE, text=True)
    url = process.stdout.readline().strip()
    assert time.monotonic() - started < 1.0
    assert url.startswith("http://127.0.0.1:")
    assert requests.get(url + "/_emulator/health", timeout=5).json() == {"status": "ok"}
    os.kill(process.pid, signal.SIGTERM)
    assert process.wait(10) == 0
    process.stdout.close()


def test_explicit_port():
    port = free_port()
    with EmulatorProcess("--port", str(port)) as emulator:
        assert emulator.url == "http://127.0.0.1:%d" % port


def test_emulator_process_helper_serves_the_api():
    with EmulatorProcess() as emulator:
        key = Km(emulator.url).create()
        assert key["state"] == "enabled"
        assert emulator.counts() == {"POST /keys": 1}
    assert emulator.process.returncode == 0


def test_fault_flags(tmp_path):
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps({"seed": 3, "rules": [{"type": "latency", "ms": 1}]}))
    with EmulatorProcess("--burst-429", "2", "--fault-route", "GET /keys", "--retry-after", "1", "--faults", "@%s" % faults) as emulator:
        km = Km(emulator.url)
        statuses = [km.call("GET", "/keys", params={"project_id": km.project_id}) for _attempt in range(3)]
        assert [response.status_code for response in statuses] == [429, 429, 200]
        assert statuses[0].headers["Retry-After"] == "1"
        assert emulator.faults()["seed"] == 3


def test_credentials_flag(tmp_path):
    token, project = str(uuid.uuid4()), str(uuid.uuid4())
    credentials = tmp_path / "credentials.yaml"
    credentials.write_text("%s:\n  - %s\n" % (token, project))
    with EmulatorProcess("--credentials", str(credentials)) as emulator:
        assert Km(emulator.url, token, project).create()["project_id"] == project
        assert Km(emulator.url, project_id=project).call("GET", "/keys", params={"project_id": project}).status_code == 401


def test_help_lists_flags():
    output = subprocess.run([sys.executable, "-m", "scwkms_emulator", "--help"], capture_output=True, text=True, check=True).stdout
    for flag in ("--credentials", "--seed", "--error-rate", "--burst-429", "--latency-ms", "--drop-after-commit", "--retry-after"):
        assert flag in output
