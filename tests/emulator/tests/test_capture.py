"""The capture server (scwkms_emulator.capture): the redirect target that must receive nothing."""

import json
import os
import signal
import subprocess
import sys

import requests

from scwkms_emulator.testing import running_capture_server


def test_records_every_request_but_its_own_control_path():
    with running_capture_server() as capture:
        assert capture.url.startswith("http://127.0.0.1:")
        assert requests.get(capture.url + "/_capture/requests", timeout=10).json() == {"requests": []}
        answer = requests.put(capture.url + "/a/b?c=d", data=b"material", headers={"X-Auth-Token": "t0ken"}, timeout=10)
        assert answer.json() == {"captured": True}
        (received,) = capture.requests()
        assert (received["method"], received["path"], received["body"]) == ("PUT", "/a/b?c=d", "material")
        assert dict(received["headers"])["X-Auth-Token"] == "t0ken"
        assert requests.get(capture.url + "/_capture/requests", timeout=10).json() == {"requests": [received]}
        assert requests.delete(capture.url + "/_capture/requests", timeout=10).json() == {"requests": []}
        assert capture.requests() == []


def test_command_line_prints_its_url_first_and_records_to_a_file(tmp_path):
    record = tmp_path / "received.jsonl"
    command = [sys.executable, "-m", "scwkms_emulator.capture", "--port", "0", "--record", str(record)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        url = process.stdout.readline().strip()
        requests.post(url + "/keys", json={"k": 1}, timeout=10)
        listed = requests.get(url + "/_capture/requests", timeout=10).json()["requests"]
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(10) == 0
    assert [(entry["method"], entry["path"], entry["body"]) for entry in listed] == [("POST", "/keys", '{"k": 1}')]
    assert [json.loads(line) for line in record.read_text().splitlines()] == listed
