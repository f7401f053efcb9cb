"""Each misbehaviour's command-line flag (``python -m scwkms_emulator``), honouring --fault-route."""

import json
import subprocess
import sys

import pytest

from emulator_helpers import Km
from scwkms_emulator.testing import EmulatorProcess, running_capture_server

FLAGS = ("--eventual-consistency", "--iam-propagation", "--trickle-byte-ms", "--commit-then-500", "--redirect-to", "--malformed-body", "--fault-rate")


def create_body(km, **fields):
    return dict({"project_id": km.project_id, "usage": {"symmetric_encryption": "aes_256_gcm"}, "unprotected": True}, **fields)


def list_response(km):
    return km.call("GET", "/keys", params={"project_id": km.project_id})


def logged_faults(emulator):
    return [entry["fault"] for entry in emulator.requests()]


def test_help_lists_the_misbehaviour_flags():
    output = subprocess.run([sys.executable, "-m", "scwkms_emulator", "--help"], capture_output=True, text=True, check=True).stdout
    assert [flag for flag in FLAGS if flag not in output] == []


def test_no_flag_no_misbehaviour():
    with EmulatorProcess() as emulator:
        km = Km(emulator.url)
        key = km.create()
        assert (km.get(key)["id"], km.list()["total_count"]) == (key["id"], 1)
        assert (emulator.faults(), logged_faults(emulator)) == ({"seed": 0, "rules": []}, [None, None, None])


def test_eventual_consistency_flag():
    with EmulatorProcess("--eventual-consistency", "60") as emulator:
        km = Km(emulator.url)
        key = km.create()
        assert (km.call("GET", "/keys/%s" % key["id"]).status_code, km.list()["total_count"]) == (404, 0)
        assert emulator.faults()["rules"] == [{"type": "eventual_consistency", "route": "*", "rate": 1.0, "count": None, "fired": 1, "seconds": 60.0}]
        assert logged_faults(emulator) == [None, "eventual_consistency", "eventual_consistency"]


def test_iam_propagation_flag_honours_the_route():
    with EmulatorProcess("--iam-propagation", "60", "--fault-route", "POST /keys") as emulator:
        km = Km(emulator.url)
        assert (list_response(km).status_code, km.call("POST", "/keys", create_body(km)).status_code) == (200, 403)
        assert logged_faults(emulator) == [None, "iam_propagation"]


def test_redirect_flag_honours_the_route():
    with running_capture_server() as capture, EmulatorProcess("--redirect-to", capture.url + "/x", "--fault-route", "GET /keys") as emulator:
        km = Km(emulator.url)
        redirected = list_response(km)
        assert (redirected.status_code, redirected.headers["Location"]) == (307, capture.url + "/x")
        assert km.call("POST", "/keys", create_body(km)).status_code == 200
        assert (logged_faults(emulator), capture.requests()) == (["redirect", None], [])


@pytest.mark.parametrize("value, body", [("{}", b"{}"), ('{"keys": [], "total_count": "0"}', b'{"keys":[],"total_count":"0"}'), ("not json", b"not json")])
def test_malformed_body_flag(value, body):
    with EmulatorProcess("--malformed-body", value, "--fault-route", "GET /keys") as emulator:
        km = Km(emulator.url)
        assert (list_response(km).status_code, list_response(km).content) == (200, body)
        assert km.call("POST", "/keys", create_body(km)).status_code == 200
        assert logged_faults(emulator) == ["malformed", "malformed", None]


def test_trickle_flag():
    with EmulatorProcess("--trickle-byte-ms", "1", "--fault-route", "DELETE /keys/{key_id}") as emulator:
        km = Km(emulator.url)
        key = km.create()
        deleted = km.call("DELETE", "/keys/%s" % key["id"])
        assert (deleted.status_code, deleted.content) == (204, b"")
        assert logged_faults(emulator) == [None, "trickle"]


def test_commit_then_500_flag():
    with EmulatorProcess("--commit-then-500", "1", "--fault-route", "POST /keys") as emulator:
        km = Km(emulator.url)
        assert km.call("POST", "/keys", create_body(km, name="committed")).status_code == 500
        assert [key["name"] for key in km.list()["keys"]] == ["committed"]
        assert logged_faults(emulator) == ["commit_then_error", None]


def test_fault_rate_and_seed_apply_to_the_misbehaviour_flags():
    with EmulatorProcess("--malformed-body", "[]", "--fault-rate", "0.5", "--seed", "4", "--latency-ms", "1", "--fault-route", "GET /keys") as emulator:
        km = Km(emulator.url)
        bodies = [list_response(km).content for _attempt in range(30)]
        configuration = emulator.faults()
        assert configuration["seed"] == 4
        assert [(rule["type"], rule["rate"]) for rule in configuration["rules"]] == [("latency", 1.0), ("malformed", 0.5)]
        assert 0 < bodies.count(b"[]") < 30
        assert logged_faults(emulator) == ["latency+malformed" if body == b"[]" else "latency" for body in bodies]


def test_flags_add_to_the_faults_file(tmp_path):
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps({"rules": [{"type": "iam_propagation", "seconds": 1, "route": "GET /algorithms"}]}))
    with EmulatorProcess("--faults", "@%s" % faults, "--eventual-consistency", "2") as emulator:
        assert [rule["type"] for rule in emulator.faults()["rules"]] == ["iam_propagation", "eventual_consistency"]
