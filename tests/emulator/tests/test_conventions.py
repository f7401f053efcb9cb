"""Wire conventions of reference sections 1 and 2, through HTTP."""

import base64
import re

import pytest
import requests

from emulator_helpers import b64, unb64

KEY_FIELDS = [
    "id", "project_id", "name", "usage", "state", "rotation_count", "created_at", "updated_at", "protected", "locked",
    "description", "tags", "rotated_at", "rotation_policy", "origin", "deletion_requested_at", "protection_level", "region",
]
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6})?Z$")


def test_key_has_every_field_in_proto_order_with_explicit_nulls(km):
    body = {"project_id": km.project_id, "usage": {"symmetric_encryption": "aes_256_gcm"}, "tags": None, "origin": "unknown_origin"}
    response = km.call("POST", "/keys", body)
    key = response.json()
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert list(key) == KEY_FIELDS
    assert (key["description"], key["rotation_policy"], key["deletion_requested_at"]) == (None, None, None)
    assert (key["tags"], key["name"], key["origin"], key["protection_level"]) == ([], "", "scaleway_kms", "software")
    assert response.text.startswith('{"id":"%s","project_id":' % key["id"])


def test_timestamps_are_utc_rfc3339(km):
    key = km.create()
    for field in ("created_at", "updated_at", "rotated_at"):
        assert TIMESTAMP.match(key[field]), key[field]


def test_body_on_get_and_delete_is_ignored(km):
    key = km.create()
    url = "%s/key-manager/v1alpha1/regions/fr-par/keys/%s" % (km.url, key["id"])
    assert requests.get(url, data=b"{}", headers={"X-Auth-Token": km.token}, timeout=10).json() == key
    assert requests.delete(url, data=b"{}", headers={"X-Auth-Token": km.token}, timeout=10).status_code == 204


def test_empty_body_on_action_post_is_accepted(km):
    key = km.create()
    url = "%s/key-manager/v1alpha1/regions/fr-par/keys/%s/rotate" % (km.url, key["id"])
    response = requests.post(url, data=b"", headers={"X-Auth-Token": km.token, "Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    assert (response.status_code, response.json()["rotation_count"]) == (200, 2)


def test_key_id_inside_the_body_is_ignored(km):
    key = km.create()
    assert km.action(key, "rotate", {"key_id": key["id"]})["rotation_count"] == 2


@pytest.mark.parametrize("spelling", ["1", "t", "T", "true", "TRUE", "True"])
def test_query_booleans_in_every_go_spelling(km, spelling):
    key = km.create()
    km.call("DELETE", "/keys/%s" % key["id"])
    assert km.list(scheduled_for_deletion=spelling)["total_count"] == 1


@pytest.mark.parametrize("spelling", ["0", "f", "F", "false", "FALSE", "False"])
def test_false_spellings(km, spelling):
    km.create()
    assert km.list(scheduled_for_deletion=spelling)["total_count"] == 1


def test_unknown_enum_zero_values_mean_unset(km):
    km.create()
    assert km.list(usage="unknown_usage", order_by="name_asc")["total_count"] == 1
    key = km.create(origin="unknown_origin")
    assert key["origin"] == "scaleway_kms"
    data_key = km.action(key, "generate-data-key", {"algorithm": "unknown_symmetric_encryption", "without_plaintext": False})
    assert data_key["algorithm"] == "aes_256_gcm"


def test_base64_is_decoded_leniently(km):
    key = km.create()
    plaintext = b"\xfb\xff\xfe lenient"
    urlsafe = base64.urlsafe_b64encode(plaintext).decode().rstrip("=")
    ciphertext = unb64(km.action(key, "encrypt", {"plaintext": urlsafe})["ciphertext"])
    unpadded_std = b64(ciphertext).rstrip("=")
    assert unb64(km.action(key, "decrypt", {"ciphertext": unpadded_std})["plaintext"]) == plaintext


def test_base64_is_encoded_standard_with_padding(km):
    key = km.create()
    for _attempt in range(20):
        ciphertext = km.action(key, "encrypt", {"plaintext": b64(b"\xff" * 7)})["ciphertext"]
        assert re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", ciphertext) and len(ciphertext) % 4 == 0


@pytest.mark.parametrize("associated_data", [None, "", "absent"])
def test_missing_null_and_empty_associated_data_are_equivalent(km, associated_data):
    key = km.create()
    ciphertext = km.encrypt(key, b"data")
    body = {"ciphertext": b64(ciphertext)}
    if associated_data != "absent":
        body["associated_data"] = associated_data
    assert unb64(km.action(key, "decrypt", body)["plaintext"]) == b"data"


def test_data_key_created_at_has_nanoseconds(km):
    key = km.create()
    created_at = km.action(key, "generate-data-key", {"without_plaintext": False})["created_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z", created_at)


def test_keep_alive_connection_is_reused(km):
    key = km.create()
    session = requests.Session()
    responses = [session.get("%s/key-manager/v1alpha1/regions/fr-par/keys/%s" % (km.url, key["id"]), headers={"X-Auth-Token": km.token}, timeout=10)
                 for _attempt in range(3)]
    assert all(response.status_code == 200 for response in responses)
    assert all("close" not in response.headers.get("Connection", "") for response in responses)
    assert len(session.adapters["http://"].poolmanager.pools) == 1


def test_every_region_serves(km):
    for region in ("fr-par", "nl-ams", "pl-waw"):
        response = km.call("POST", "/keys", {"project_id": km.project_id, "usage": {"symmetric_encryption": "aes_256_gcm"}}, region=region)
        assert response.json()["region"] == region


def test_list_algorithms(km):
    algorithms = km.ok("GET", "/algorithms")["algorithms"]
    assert {"usage": "symmetric_encryption", "name": "aes_256_gcm", "recommended": True} in algorithms
    assert len(algorithms) == 17
    signing = km.ok("GET", "/algorithms", params={"usages": ["asymmetric_signing", "asymmetric_encryption"]})["algorithms"]
    assert {entry["usage"] for entry in signing} == {"asymmetric_signing", "asymmetric_encryption"}
