"""One test per error rule of reference section 5 (statuses, types, exact bodies)."""

import uuid

import pytest

from emulator_helpers import b64

RECORDED_TAG_FAILURE = {
    "details": [{"argument_name": "ciphertext", "help_message": "cipher: message authentication failed", "reason": "constraint"}],
    "message": "invalid argument(s)",
    "type": "invalid_arguments",
}


def detail(response):
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["message"], body["type"]) == ("invalid argument(s)", "invalid_arguments")
    return body["details"][0]["argument_name"], body["details"][0]["reason"]


def test_unknown_key_is_404_with_resource_body(km):
    key_id = str(uuid.uuid4())
    response = km.call("GET", "/keys/%s" % key_id)
    assert response.status_code == 404
    assert response.json() == {"message": "resource is not found", "resource": "key", "resource_id": key_id, "type": "not_found"}


def test_error_bodies_have_sorted_keys(km):
    response = km.call("GET", "/keys/%s" % uuid.uuid4())
    assert response.text.startswith('{"message":"resource is not found","resource":"key","resource_id":')


def test_key_of_another_region_is_404(km):
    key = km.create()
    assert km.call("GET", "/keys/%s" % key["id"], region="nl-ams").status_code == 404


def test_malformed_key_id_is_400_format(km):
    assert detail(km.call("GET", "/keys/not-a-uuid")) == ("key_id", "format")


def test_unknown_region_is_400(km):
    assert detail(km.call("GET", "/keys/%s" % uuid.uuid4(), region="it-mil")) == ("region", "constraint")


@pytest.mark.parametrize("token", ["", "not-a-uuid"])
def test_missing_or_malformed_token_is_401(km, token):
    response = km.call("GET", "/keys", params={"project_id": km.project_id}, token=token)
    assert response.status_code == 401
    assert response.json() == {"message": "authentication is denied", "method": "api_key", "reason": "invalid_argument", "type": "denied_authentication"}


def test_decrypt_with_wrong_associated_data_gives_recorded_body(km):
    key = km.create()
    ciphertext = km.encrypt(key, b"this is secret", b"some associated data")
    response = km.call("POST", "/keys/%s/decrypt" % key["id"], {"ciphertext": b64(ciphertext), "associated_data": "cXdlcnR5"})
    assert response.status_code == 400
    assert response.text == '{"details":[{"argument_name":"ciphertext","help_message":"cipher: message authentication failed","reason":"constraint"}],' \
        '"message":"invalid argument(s)","type":"invalid_arguments"}'


def test_tampered_ciphertext_gives_recorded_body(km):
    key = km.create()
    ciphertext = bytearray(km.encrypt(key, b"payload"))
    ciphertext[-1] ^= 1
    response = km.call("POST", "/keys/%s/decrypt" % key["id"], {"ciphertext": b64(bytes(ciphertext))})
    assert (response.status_code, response.json()) == (400, RECORDED_TAG_FAILURE)


@pytest.mark.parametrize("ciphertext", [b"\x01\x00\x00\x00\x01short", b"\x02" + b"\x00" * 40, b"\x01\x00\x00\x00\x07" + b"\x00" * 40])
def test_malformed_or_foreign_ciphertext_is_400(km, ciphertext):
    key = km.create()
    assert detail(km.call("POST", "/keys/%s/decrypt" % key["id"], {"ciphertext": b64(ciphertext)})) == ("ciphertext", "constraint")


@pytest.mark.parametrize("plaintext, reason", [(None, "required"), ("", "required"), (b64(b"x" * 65536), "constraint")])
def test_plaintext_size_limits(km, plaintext, reason):
    key = km.create()
    assert detail(km.call("POST", "/keys/%s/encrypt" % key["id"], {"plaintext": plaintext})) == ("plaintext", reason)


def test_largest_plaintext_is_accepted(km):
    key = km.create()
    assert len(km.encrypt(key, b"x" * 65535)) == 65535 + 33


def test_bad_base64_is_400_format(km):
    key = km.create()
    assert detail(km.call("POST", "/keys/%s/encrypt" % key["id"], {"plaintext": "***"})) == ("plaintext", "format")


@pytest.mark.parametrize("algorithm, action, body", [
    ("ec_p256_sha256", "encrypt", {"plaintext": b64(b"x")}),
    ("aes_256_gcm", "sign", {"digest": b64(b"d" * 32)}),
    ("rsa_oaep_2048_sha256", "generate-data-key", {}),
    ("ec_p384_sha384", "decrypt", {"ciphertext": b64(b"x" * 64)}),
])
def test_operation_not_allowed_for_usage_is_412(km, algorithm, action, body):
    key = km.create(algorithm)
    response = km.call("POST", "/keys/%s/%s" % (key["id"], action), body)
    assert (response.status_code, response.json()["type"]) == (412, "precondition_failed")


def test_public_key_of_symmetric_key_is_412(km):
    key = km.create()
    response = km.call("GET", "/keys/%s/public-key" % key["id"])
    assert (response.status_code, response.json()["help_message"]) == (412, "symmetric keys have no public key")


def test_associated_data_with_rsa_is_400(km):
    key = km.create("rsa_oaep_2048_sha256")
    body = {"plaintext": b64(b"x"), "associated_data": b64(b"ad")}
    assert detail(km.call("POST", "/keys/%s/encrypt" % key["id"], body)) == ("associated_data", "constraint")


def test_import_into_non_external_key_is_412(km):
    key = km.create()
    response = km.call("POST", "/keys/%s/import-key-material" % key["id"], {"key_material": b64(b"k" * 32)})
    assert (response.status_code, response.json()["type"]) == (412, "precondition_failed")


def test_delete_key_material_of_non_external_key_is_412(km):
    key = km.create()
    assert km.call("POST", "/keys/%s/delete-key-material" % key["id"], {}).status_code == 412


@pytest.mark.parametrize("length", [15, 1025])
def test_key_material_length_is_checked(km, length):
    key = km.create(origin="external")
    body = {"key_material": b64(b"k" * length)}
    assert detail(km.call("POST", "/keys/%s/import-key-material" % key["id"], body)) == ("key_material", "constraint")


@pytest.mark.parametrize("algorithm, length", [("ec_p256_sha256", 48), ("ec_p384_sha384", 32), ("rsa_pss_2048_sha256", 20), ("rsa_pkcs1_2048_sha256", 64)])
def test_wrong_digest_length_is_400(km, algorithm, length):
    key = km.create(algorithm)
    assert detail(km.call("POST", "/keys/%s/sign" % key["id"], {"digest": b64(b"d" * length)})) == ("digest", "constraint")
    body = {"digest": b64(b"d" * length), "signature": b64(b"s" * 64)}
    assert detail(km.call("POST", "/keys/%s/verify" % key["id"], body)) == ("digest", "constraint")


@pytest.mark.parametrize("usage, argument", [
    ({"symmetric_encryption": "unknown_symmetric_encryption"}, "usage.symmetric_encryption"),
    ({"asymmetric_signing": "ec_p521_sha512"}, "usage.asymmetric_signing"),
    ({"quantum": "aes_256_gcm"}, "usage"),
    ({"symmetric_encryption": "aes_256_gcm", "asymmetric_signing": "ec_p256_sha256"}, "usage"),
    ({}, "usage"),
])
def test_invalid_usage_on_create_is_400(km, usage, argument):
    response = km.call("POST", "/keys", {"project_id": km.project_id, "usage": usage})
    assert detail(response)[0] == argument


def test_python_sdk_one_of_bug_body_is_rejected(km):
    """KeyUsage(asymmetric_signing=...) without explicit Nones serialises as unknown_symmetric_encryption."""
    response = km.call("POST", "/keys", {"project_id": km.project_id, "usage": {"symmetric_encryption": "unknown_symmetric_encryption"}, "unprotected": False})
    assert detail(response) == ("usage.symmetric_encryption", "constraint")


@pytest.mark.parametrize("origin, usage", [("byok", {"symmetric_encryption": "aes_256_gcm"}), ("external", {"asymmetric_signing": "ec_p256_sha256"})])
def test_invalid_origin_is_400(km, origin, usage):
    assert detail(km.call("POST", "/keys", {"project_id": km.project_id, "usage": usage, "origin": origin}))[0] == "origin"


@pytest.mark.parametrize("project_id, reason", [(None, "required"), ("my-project", "format")])
def test_create_needs_a_uuid_project_id(km, project_id, reason):
    body = {"project_id": project_id, "usage": {"symmetric_encryption": "aes_256_gcm"}}
    assert detail(km.call("POST", "/keys", body)) == ("project_id", reason)


def test_list_needs_project_or_organization(km):
    assert detail(km.call("GET", "/keys")) == ("project_id", "required")
    assert detail(km.call("GET", "/keys", params={"project_id": "nope"})) == ("project_id", "format")


@pytest.mark.parametrize("params, argument", [
    ({"page_size": "0"}, "page_size"), ({"page_size": "101"}, "page_size"), ({"page": "0"}, "page"), ({"page": "x"}, "page"),
    ({"order_by": "size_asc"}, "order_by"), ({"usage": "everything"}, "usage"), ({"scheduled_for_deletion": "yes"}, "scheduled_for_deletion"),
])
def test_invalid_list_query_is_400(km, params, argument):
    params["project_id"] = km.project_id
    assert detail(km.call("GET", "/keys", params=params))[0] == argument


def test_unknown_route_is_404(km):
    response = km.call("GET", "/keys/%s/history" % uuid.uuid4())
    assert (response.status_code, response.json()["type"]) == (404, "not_found")


def test_invalid_json_body_is_400(km):
    response = km.session.post(km.url + "/key-manager/v1alpha1/regions/fr-par/keys", data=b"{not json", headers={"X-Auth-Token": km.token})
    assert detail(response) == ("body", "format")


def test_rate_limit_is_empty_429_with_envoy_header(km, km_emulator):
    km_emulator.set_faults([{"type": "burst", "count": 1}])
    response = km.call("GET", "/keys", params={"project_id": km.project_id})
    assert (response.status_code, response.content) == (429, b"")
    assert response.headers["X-Envoy-Ratelimited"] == "true"
    assert "Content-Type" not in response.headers
    assert km.call("GET", "/keys", params={"project_id": km.project_id}).status_code == 200
