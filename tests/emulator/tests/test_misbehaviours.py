"""The misbehaviours (faults.py), set through the control API: each fires, is off by default, composes, resets."""

import socket
import urllib.parse

import pytest
import requests

from emulator_helpers import Km
from scwkms_emulator.testing import running_capture_server

NOT_FOUND_TYPE = "not_found"
GHOST = "00000000-0000-4000-8000-000000000000"
RULE_DEFAULTS = {"route": "*", "rate": 1.0, "count": None, "fired": 0}
TYPE_DEFAULTS = {"malformed": {"body": None, "body_text": None}, "commit_then_error": {"retry_after": None}}
EVERY_RULE = [
    {"type": "eventual_consistency", "seconds": 2.0},
    {"type": "iam_propagation", "seconds": 3.0},
    {"type": "redirect", "route": "GET /keys", "status": 307, "location": "http://127.0.0.1:9/elsewhere"},
    {"type": "malformed", "route": "GET /keys", "body": {}},
    {"type": "malformed", "route": "GET /keys/{key_id}", "body_text": "<html>"},
    {"type": "trickle", "route": "GET /keys", "byte_delay_ms": 500},
    {"type": "commit_then_error", "route": "POST /keys", "status": 500},
    {"type": "latency", "route": "GET /keys", "ms": 10},
]


def create_body(km, **fields):
    return dict({"project_id": km.project_id, "usage": {"symmetric_encryption": "aes_256_gcm"}, "unprotected": True}, **fields)


def list_response(km, **params):
    return km.call("GET", "/keys", params=dict({"project_id": km.project_id}, **params))


def fault_names(km_emulator):
    return [entry["fault"] for entry in km_emulator.requests()]


def test_get_faults_lists_each_rule_with_its_fields_and_round_trips(km_emulator):
    listed = km_emulator.set_faults(EVERY_RULE, seed=5)["rules"]
    assert listed == [{**RULE_DEFAULTS, **TYPE_DEFAULTS.get(rule["type"], {}), **rule} for rule in EVERY_RULE]
    assert km_emulator.set_faults(listed, seed=5)["rules"] == listed


def test_every_misbehaviour_is_off_by_default(km, km_emulator):
    assert km_emulator.faults() == {"seed": 0, "rules": []}
    created = km.call("POST", "/keys", create_body(km))
    key = created.json()
    assert (created.status_code, km.get(key)["id"]) == (200, key["id"])
    listed = list_response(km)
    assert (listed.status_code, listed.json()["total_count"], "Location" in listed.headers) == (200, 1, False)
    assert km.action(key, "rotate")["rotation_count"] == 2
    assert [(entry["fault"], entry["faults"]) for entry in km_emulator.requests()] == [(None, [])] * 4


@pytest.mark.parametrize("rule", [
    {"type": "eventual_consistency"}, {"type": "iam_propagation"}, {"type": "redirect"}, {"type": "redirect", "location": "http://a/", "status": 500},
    {"type": "redirect", "location": "http://a/\r\nX-Injected: 1"}, {"type": "malformed"}, {"type": "malformed", "body_text": 3},
    {"type": "trickle"}, {"type": "commit_then_error", "status": 302},
])
def test_incomplete_rules_are_refused(km_emulator, rule):
    response = requests.post(km_emulator.url + "/_emulator/faults", json={"rules": [rule]}, timeout=10)
    assert (response.status_code, response.json()["type"]) == (400, "invalid_arguments")
    assert km_emulator.faults()["rules"] == []


def test_eventual_consistency_hides_a_new_key_from_get_and_lists(km, km_emulator, monotonic):
    older = km.create()
    km_emulator.set_faults([{"type": "eventual_consistency", "seconds": 2}])
    key = km.create()
    hidden = km.call("GET", "/keys/%s" % key["id"])
    assert (hidden.status_code, hidden.json()["type"], hidden.json()["resource_id"]) == (404, NOT_FOUND_TYPE, key["id"])
    assert km.list() == {"keys": [km.get(older)], "total_count": 1}
    km_emulator.advance(86400)
    assert km.call("GET", "/keys/%s" % key["id"]).status_code == 404
    monotonic.advance(2)
    assert km.get(key)["id"] == key["id"]
    assert km.list()["total_count"] == 2
    assert fault_names(km_emulator) == [None, None, "eventual_consistency", "eventual_consistency", None, "eventual_consistency", None, None]
    assert km_emulator.faults()["rules"][0]["fired"] == 1


def test_eventual_consistency_count_and_clear(km, km_emulator, monotonic):
    km_emulator.set_faults([{"type": "eventual_consistency", "seconds": 60, "count": 1}])
    first, second = km.create(), km.create()
    assert [km.call("GET", "/keys/%s" % key["id"]).status_code for key in (first, second)] == [404, 200]
    km_emulator.clear_faults()
    assert km.get(first)["id"] == first["id"]
    assert monotonic.now == 1000.0


def test_a_real_client_gets_404_right_after_its_own_create(km_emulator, monotonic):
    sdk = pytest.importorskip("scaleway")
    from scaleway.key_manager.v1alpha1 import KeyManagerV1Alpha1API, KeyUsage  # pylint: disable=import-outside-toplevel
    from scaleway_core.api import ScalewayException  # pylint: disable=import-outside-toplevel
    project = Km(km_emulator.url).project_id
    client = sdk.Client(access_key="SCW" + "A1B2C3D4E5F6G7H8J", secret_key=Km(km_emulator.url).token, default_project_id=project,
                        default_region="fr-par", api_url=km_emulator.url)
    api = KeyManagerV1Alpha1API(client)
    km_emulator.set_faults([{"type": "eventual_consistency", "seconds": 5}])
    key = api.create_key(unprotected=True, usage=KeyUsage(symmetric_encryption="aes_256_gcm", asymmetric_encryption=None, asymmetric_signing=None))
    with pytest.raises(ScalewayException) as raised:
        api.get_key(key_id=key.id)
    assert raised.value.status_code == 404
    assert api.list_keys(project_id=project, scheduled_for_deletion=False).total_count == 0
    monotonic.advance(5)
    assert api.get_key(key_id=key.id).id == key.id


def test_iam_propagation_denies_each_new_token_for_a_while(km, km_emulator, monotonic):
    km_emulator.set_faults([{"type": "iam_propagation", "seconds": 3}])
    denied = list_response(km)
    assert (denied.status_code, denied.json()["type"]) == (403, "permissions_denied")
    monotonic.advance(2)
    assert km.call("POST", "/keys", create_body(km)).status_code == 403
    other = Km(km_emulator.url, project_id=km.project_id)
    monotonic.advance(1)
    assert (list_response(km).status_code, list_response(other).status_code) == (200, 403)
    assert km.call("GET", "/keys", params={"project_id": km.project_id}, token="").status_code == 401
    monotonic.advance(3)
    assert list_response(other).status_code == 200
    assert fault_names(km_emulator) == ["iam_propagation"] * 2 + [None, "iam_propagation", None, None]
    assert km_emulator.faults()["rules"][0]["fired"] == 2


def test_iam_propagation_per_route_and_count(km, km_emulator):
    km_emulator.set_faults([{"type": "iam_propagation", "seconds": 60, "route": "POST *", "count": 1}])
    assert list_response(km).status_code == 200
    assert km.call("POST", "/keys", create_body(km)).status_code == 403
    assert Km(km_emulator.url, project_id=km.project_id).call("POST", "/keys", create_body(km)).status_code == 200


def test_redirect_answers_the_location_and_applies_nothing(km, km_emulator):
    with running_capture_server() as capture:
        km_emulator.set_faults([{"type": "redirect", "route": "POST /keys", "location": capture.url + "/elsewhere"}])
        response = km.call("POST", "/keys", create_body(km))
        assert (response.status_code, response.headers["Location"], response.content) == (307, capture.url + "/elsewhere", b"")
        assert (list_response(km).json()["total_count"], capture.requests()) == (0, [])
    assert fault_names(km_emulator) == ["redirect", None]


def test_a_client_following_the_redirect_hands_the_target_its_token(km, km_emulator):
    with running_capture_server() as capture:
        km_emulator.set_faults([{"type": "redirect", "status": 308, "location": capture.url + "/stolen?x=1"}])
        url = "%s/key-manager/v1alpha1/regions/fr-par/keys" % km.url
        assert requests.post(url, json={"name": "n"}, headers={"X-Auth-Token": km.token}, timeout=10).json() == {"captured": True}
        (received,) = capture.requests()
    assert (received["method"], received["path"], received["body"]) == ("POST", "/stolen?x=1", '{"name": "n"}')
    assert dict(received["headers"])["X-Auth-Token"] == km.token


@pytest.mark.parametrize("rule, body", [
    ({"body": {}}, b"{}"), ({"body": []}, b"[]"), ({"body": None}, b"null"), ({"body": {"keys": {}, "total_count": "1"}}, b'{"keys":{},"total_count":"1"}'),
    ({"body_text": "<html>oops"}, b"<html>oops"),
])
def test_malformed_answers_200_with_the_body(km, km_emulator, rule, body):
    km_emulator.set_faults([dict(rule, type="malformed", route="GET /keys")])
    response = list_response(km)
    assert (response.status_code, response.content, response.headers["Content-Type"]) == (200, body, "application/json")
    assert fault_names(km_emulator) == ["malformed"]


def test_malformed_applies_nothing(km, km_emulator):
    km_emulator.set_faults([{"type": "malformed", "route": "POST /keys", "body": {"id": "not-a-uuid"}}])
    assert km.call("POST", "/keys", create_body(km)).json() == {"id": "not-a-uuid"}
    km_emulator.clear_faults()
    assert km.list()["total_count"] == 0


def test_trickle_sends_the_same_answer(km, km_emulator):
    key = km.create()
    km_emulator.set_faults([{"type": "trickle", "route": "GET /keys/{key_id}", "byte_delay_ms": 1}])
    assert km.get(key) == key
    assert fault_names(km_emulator) == [None, "trickle"]


def test_trickle_writes_one_byte_at_a_time(km, km_emulator):
    km_emulator.set_faults([{"type": "trickle", "byte_delay_ms": 300}])
    address = urllib.parse.urlsplit(km_emulator.url)
    request = "GET /key-manager/v1alpha1/regions/fr-par/keys?project_id=%s HTTP/1.1\r\nHost: emulator\r\nX-Auth-Token: %s\r\n\r\n"
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall((request % (km.project_id, km.token)).encode())
        assert [connection.recv(4096) for _byte in range(3)] == [b"H", b"T", b"T"]


def test_commit_then_error_applies_the_write_then_answers_the_error(km, km_emulator):
    key = km.create()
    km_emulator.set_faults([{"type": "commit_then_error", "route": "POST /keys/{key_id}/rotate", "count": 1}])
    response = km.call("POST", "/keys/%s/rotate" % key["id"], {})
    assert (response.status_code, response.json()) == (500, {"message": "injected fault", "type": "unknown_error"})
    assert km.get(key)["rotation_count"] == 2
    assert km.action(key, "rotate")["rotation_count"] == 3
    assert fault_names(km_emulator) == [None, "commit_then_error", None, None]


def test_commit_then_error_fires_only_after_a_write_that_succeeded(km, km_emulator):
    key = km.create("ec_p256_sha256")
    km_emulator.set_faults([{"type": "commit_then_error", "route": "POST /keys/*", "status": 502, "retry_after": 1}])
    assert km.call("POST", "/keys/%s/rotate" % key["id"], {}).status_code == 412
    disabled = km.call("POST", "/keys/%s/disable" % key["id"], {})
    assert (disabled.status_code, disabled.headers["Retry-After"]) == (502, "1")
    assert km.get(key)["state"] == "disabled"
    assert km_emulator.faults()["rules"][0]["fired"] == 1


def test_drop_after_commit_answers_a_write_that_failed(km, km_emulator):
    key = km.create("ec_p256_sha256")
    km_emulator.set_faults([{"type": "drop_after_commit", "route": "POST /keys/*"}])
    assert km.call("POST", "/keys/%s/rotate" % key["id"], {}).status_code == 412
    assert km_emulator.faults()["rules"][0]["fired"] == 0


def test_a_create_answered_500_is_committed_then_eventually_consistent(km, km_emulator, monotonic):
    km_emulator.set_faults([{"type": "commit_then_error", "route": "POST /keys"}, {"type": "eventual_consistency", "seconds": 3}])
    assert km.call("POST", "/keys", create_body(km, name="lost")).status_code == 500
    assert km.list(name="lost")["total_count"] == 0
    monotonic.advance(3)
    assert [key["name"] for key in km.list(name="lost")["keys"]] == ["lost"]
    assert [entry["faults"] for entry in km_emulator.requests()] == [["commit_then_error"], ["eventual_consistency"], []]


def test_latency_per_route_combines_with_the_others(km, km_emulator):
    km_emulator.set_faults([
        {"type": "latency", "route": "GET /keys", "ms": 1}, {"type": "malformed", "route": "GET /keys", "body": []},
        {"type": "trickle", "route": "GET /keys", "byte_delay_ms": 1},
    ])
    assert list_response(km).json() == []
    km.create()
    assert [entry["faults"] for entry in km_emulator.requests()] == [["latency", "malformed", "trickle"], []]
    assert fault_names(km_emulator) == ["latency+malformed+trickle", None]


def probe(km_emulator):
    """Create a key, read it, list: the faults logged and the statuses answered."""
    km = Km(km_emulator.url)
    created = km.call("POST", "/keys", create_body(km))
    key_id = created.json().get("id", GHOST) if created.content.startswith(b'{"id"') else GHOST
    statuses = [created.status_code, km.call("GET", "/keys/%s" % key_id).status_code, list_response(km).status_code]
    faults = {name for entry in km_emulator.requests() for name in entry["faults"]}
    km_emulator.clear_requests()
    return faults, statuses


def everywhere(rule):
    """The rule on every route, but a trickle: only on the short list answers, with 1 ms between bytes."""
    return dict(rule, byte_delay_ms=1) if rule["type"] == "trickle" else dict(rule, route="*")


@pytest.mark.parametrize("rule", [everywhere(rule) for rule in EVERY_RULE], ids=lambda rule: rule["type"])
def test_each_misbehaviour_fires_until_reset(km_emulator, monotonic, rule):
    km_emulator.set_faults([rule])
    assert probe(km_emulator)[0] == {rule["type"]}
    assert km_emulator.faults()["rules"][0]["fired"] >= 1
    km_emulator.reset()
    assert probe(km_emulator) == (set(), [200, 200, 200])
    assert monotonic.now == 1000.0


def test_reset_clears_every_misbehaviour_at_once(km_emulator, monotonic):
    km_emulator.set_faults([everywhere(rule) for rule in EVERY_RULE])
    assert probe(km_emulator)[1] == [307, 307, 307]
    km_emulator.reset()
    assert (km_emulator.faults(), probe(km_emulator)) == ({"seed": 0, "rules": []}, (set(), [200, 200, 200]))


def chaos_rules(capture_url):
    return [
        {"type": "latency", "ms": 1, "rate": 0.5}, {"type": "iam_propagation", "seconds": 5, "rate": 0.5},
        {"type": "eventual_consistency", "seconds": 5, "rate": 0.5},
        {"type": "redirect", "route": "GET /keys", "rate": 0.3, "location": capture_url},
        {"type": "malformed", "route": "GET /keys/{key_id}", "rate": 0.3, "body": {}},
        {"type": "trickle", "route": "DELETE /keys/{key_id}", "rate": 0.5, "byte_delay_ms": 1},
        {"type": "commit_then_error", "route": "POST /keys", "rate": 0.3},
    ]


def chaos_round(km_emulator, project_id):
    """One new token: create a key, read it, list, delete it; the statuses and whether the create was committed."""
    client = Km(km_emulator.url, project_id=project_id)
    created = client.call("POST", "/keys", create_body(client))
    key_id = created.json()["id"] if created.status_code == 200 else GHOST
    answers = [created, client.call("GET", "/keys/%s" % key_id), list_response(client), client.call("DELETE", "/keys/%s" % key_id)]
    return [response.status_code for response in answers], created.status_code in (200, 500)


def test_every_misbehaviour_at_once_composes(km, km_emulator, monotonic):
    with running_capture_server() as capture:
        km_emulator.set_faults(chaos_rules(capture.url), seed=11)
        rounds = [chaos_round(km_emulator, km.project_id) for _round in range(25)]
        configuration, received = km_emulator.faults(), capture.requests()
    assert [rule["type"] for rule in configuration["rules"] if rule["fired"] == 0] == []
    assert received == []
    assert {status for statuses, _committed in rounds for status in statuses} <= {200, 204, 307, 403, 404, 500}
    monotonic.advance(5)
    km_emulator.clear_faults()
    listed = km.list(page_size=100)["total_count"] + km.list(page_size=100, scheduled_for_deletion=True)["total_count"]
    assert listed == sum(committed for _statuses, committed in rounds)
    logged = {name for entry in km_emulator.requests() for name in entry["faults"]}
    assert logged == {rule["type"] for rule in configuration["rules"]}
