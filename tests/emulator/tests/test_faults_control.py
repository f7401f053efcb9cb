"""Fault injection and the /_emulator control endpoints."""

import datetime
import time
import uuid

import pytest
import requests

from emulator_helpers import b64


def list_keys(km):
    return km.call("GET", "/keys", params={"project_id": km.project_id})


def test_health(km_emulator):
    assert km_emulator.health() == {"status": "ok"}


def test_request_log_has_route_templates_and_counts(km, km_emulator):
    key = km.create()
    km.get(key)
    km.get(key)
    list_keys(km)
    entries = km_emulator.requests()
    assert [entry["route"] for entry in entries] == ["POST /keys", "GET /keys/{key_id}", "GET /keys/{key_id}", "GET /keys"]
    assert entries[1]["path"] == "/key-manager/v1alpha1/regions/fr-par/keys/%s" % key["id"]
    assert entries[3]["query"] == {"project_id": [km.project_id]}
    assert [entry["status"] for entry in entries] == [200, 200, 200, 200]
    assert km_emulator.counts() == {"POST /keys": 1, "GET /keys/{key_id}": 2, "GET /keys": 1}


def test_request_log_never_holds_secrets(km, km_emulator):
    key = km.create()
    km.encrypt(key, b"top secret plaintext")
    text = requests.get(km_emulator.url + "/_emulator/requests", timeout=10).text
    assert km.token not in text
    assert b64(b"top secret plaintext") not in text


def test_control_calls_are_not_logged(km_emulator):
    km_emulator.health()
    km_emulator.now()
    assert km_emulator.requests() == []


def test_clear_requests(km, km_emulator):
    km.create()
    km_emulator.clear_requests()
    assert (km_emulator.requests(), km_emulator.counts()) == ([], {})


def test_reset_drops_keys_log_faults_and_clock(km, km_emulator):
    key = km.create()
    km_emulator.advance(3600)
    km_emulator.set_faults([{"type": "latency", "ms": 1}])
    km_emulator.reset()
    assert km.call("GET", "/keys/%s" % key["id"]).status_code == 404
    assert km_emulator.faults()["rules"] == []
    assert [entry["route"] for entry in km_emulator.requests()] == ["GET /keys/{key_id}"]
    assert abs(time.time() - _epoch(km_emulator.now())) < 60


def _epoch(timestamp):
    return datetime.datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def test_clock_advance_and_set(km_emulator):
    before = _epoch(km_emulator.now())
    assert _epoch(km_emulator.advance(86400)) - before >= 86400
    assert km_emulator.set_now("2031-05-06T07:08:09Z").startswith("2031-05-06T07:08:")


def test_bad_control_body_is_400(km_emulator):
    response = requests.post(km_emulator.url + "/_emulator/clock", json={"advance_seconds": "soon"}, timeout=10)
    assert response.status_code == 400
    response = requests.post(km_emulator.url + "/_emulator/faults", json={"rules": [{"type": "explode"}]}, timeout=10)
    assert response.status_code == 400


def test_error_rate_per_route_with_status_and_retry_after(km, km_emulator):
    km_emulator.set_faults([{"type": "error", "route": "GET /keys", "rate": 1, "status": 503, "retry_after": 2}])
    response = list_keys(km)
    assert (response.status_code, response.headers["Retry-After"]) == (503, "2")
    assert response.json()["message"] == "injected fault"
    assert km.create()["state"] == "enabled"
    assert km_emulator.requests()[0]["fault"] == "error"


def test_injected_error_applies_nothing(km, km_emulator):
    km_emulator.set_faults([{"type": "error", "route": "POST /keys", "status": 500}])
    assert km.call("POST", "/keys", {"project_id": km.project_id, "usage": {"symmetric_encryption": "aes_256_gcm"}}).status_code == 500
    km_emulator.clear_faults()
    assert list_keys(km).json()["total_count"] == 0


def test_error_rate_is_deterministic_with_a_seed(km, km_emulator):
    def run():
        km_emulator.set_faults([{"type": "error", "rate": 0.5, "status": 502}], seed=42)
        return [list_keys(km).status_code for _attempt in range(40)]
    first = run()
    assert first == run()
    assert 5 < first.count(502) < 35


def test_burst_then_recovery(km, km_emulator):
    km_emulator.set_faults([{"type": "burst", "count": 3}])
    assert [list_keys(km).status_code for _attempt in range(5)] == [429, 429, 429, 200, 200]
    assert km_emulator.faults()["rules"][0]["fired"] == 3


def test_injected_403_is_permissions_denied(km, km_emulator):
    km_emulator.set_faults([{"type": "error", "route": "POST /keys", "status": 403, "count": 1}])
    response = km.call("POST", "/keys", {"project_id": km.project_id, "usage": {"symmetric_encryption": "aes_256_gcm"}})
    assert (response.status_code, response.json()["type"]) == (403, "permissions_denied")


def test_added_latency(km, km_emulator):
    km_emulator.set_faults([{"type": "latency", "ms": 150}])
    started = time.monotonic()
    list_keys(km)
    assert time.monotonic() - started >= 0.15


def test_route_patterns(km, km_emulator):
    key = km.create()
    km_emulator.set_faults([{"type": "error", "route": "POST /keys/*", "status": 504}])
    assert km.call("POST", "/keys/%s/rotate" % key["id"], {}).status_code == 504
    assert km.call("GET", "/keys/%s" % key["id"]).status_code == 200


def test_drop_after_commit_really_commits(km, km_emulator):
    key = km.create()
    km_emulator.set_faults([{"type": "drop_after_commit", "route": "POST /keys/{key_id}/rotate", "count": 1}])
    with pytest.raises(requests.exceptions.ConnectionError):
        km.call("POST", "/keys/%s/rotate" % key["id"], {})
    assert km.get(key)["rotation_count"] == 2
    assert km_emulator.requests()[-2]["fault"] == "drop_after_commit"


def test_drop_after_commit_of_a_create(km, km_emulator):
    km_emulator.set_faults([{"type": "drop_after_commit", "route": "POST /keys", "count": 1}])
    with pytest.raises(requests.exceptions.ConnectionError):
        km.call("POST", "/keys", {"project_id": km.project_id, "name": "ghost", "usage": {"symmetric_encryption": "aes_256_gcm"}})
    assert [key["name"] for key in list_keys(km).json()["keys"]] == ["ghost"]


def test_faults_get_and_delete(km_emulator):
    configuration = km_emulator.set_faults([{"type": "burst", "count": 2, "route": "GET *"}], seed=7)
    assert configuration == km_emulator.faults()
    assert configuration["seed"] == 7
    assert configuration["rules"][0]["status"] == 429
    km_emulator.clear_faults()
    assert km_emulator.faults() == {"seed": 0, "rules": []}


def test_locked_control_endpoint_on_unknown_key_is_404(km_emulator):
    response = requests.post("%s/_emulator/keys/%s/locked" % (km_emulator.url, uuid.uuid4()), json={"locked": True}, timeout=10)
    assert response.status_code == 404
