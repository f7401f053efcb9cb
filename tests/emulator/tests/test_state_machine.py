"""One test per rule of the key state machine (reference section 4)."""

import datetime

import pytest

from emulator_helpers import b64

DAY = 24 * 3600


def parse(timestamp):
    return datetime.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def test_create_scaleway_kms_key_is_enabled_with_one_rotation(km):
    key = km.create(unprotected=False)
    assert key["state"] == "enabled"
    assert key["rotation_count"] == 1
    assert key["rotated_at"] == key["updated_at"]
    assert parse(key["created_at"]) <= parse(key["updated_at"])
    assert key["protected"] is True
    assert key["origin"] == "scaleway_kms"


def test_unprotected_flag_gives_unprotected_key(km):
    assert km.create(unprotected=True)["protected"] is False
    assert km.create(unprotected=None)["protected"] is True


def test_create_external_key_waits_for_material(km):
    key = km.create(origin="external")
    assert (key["state"], key["rotation_count"], key["rotated_at"], key["origin"]) == ("pending_key_material", 0, None, "external")
    assert key["created_at"] == key["updated_at"]


def test_import_material_enables_pending_key(km):
    key = km.create(origin="external")
    imported = km.action(key, "import-key-material", {"key_material": b64(b"k" * 32)})
    assert (imported["state"], imported["rotation_count"]) == ("enabled", 1)
    assert imported["rotated_at"] == imported["updated_at"]


def test_reimport_on_enabled_external_key_is_a_new_rotation(km):
    key = km.create(origin="external")
    km.action(key, "import-key-material", {"key_material": b64(b"a" * 32)})
    again = km.action(key, "import-key-material", {"key_material": b64(b"b" * 32), "salt": b64(b"s" * 16)})
    assert (again["state"], again["rotation_count"]) == ("enabled", 2)


def test_delete_key_material_removes_latest_rotation_then_back_to_pending(km):
    key = km.create(origin="external")
    km.action(key, "import-key-material", {"key_material": b64(b"a" * 32)})
    km.action(key, "import-key-material", {"key_material": b64(b"b" * 32)})
    response = km.call("POST", "/keys/%s/delete-key-material" % key["id"], {})
    assert (response.status_code, response.content, response.headers["Content-Type"]) == (204, b"", "application/json")
    assert (km.get(key)["state"], km.get(key)["rotation_count"]) == ("enabled", 1)
    km.action(key, "delete-key-material", status=204)
    assert (km.get(key)["state"], km.get(key)["rotation_count"]) == ("pending_key_material", 0)


def test_deleted_material_no_longer_decrypts(km):
    key = km.create(origin="external")
    km.action(key, "import-key-material", {"key_material": b64(b"a" * 32)})
    ciphertext = km.encrypt(key, b"secret")
    km.action(key, "import-key-material", {"key_material": b64(b"b" * 32)})
    km.action(key, "delete-key-material", status=204)
    assert km.decrypt(key, ciphertext)["ciphertext"] is None
    km.action(key, "delete-key-material", status=204)
    response = km.call("POST", "/keys/%s/decrypt" % key["id"], {"ciphertext": b64(ciphertext)})
    assert response.status_code == 412


def test_disable_then_enable(km):
    key = km.create()
    disabled = km.action(key, "disable")
    assert disabled["state"] == "disabled"
    assert disabled["updated_at"] != key["updated_at"]
    assert km.action(key, "enable")["state"] == "enabled"


def test_crypto_on_disabled_key_fails_but_metadata_works(km):
    key = km.create()
    km.action(key, "disable")
    response = km.call("POST", "/keys/%s/encrypt" % key["id"], {"plaintext": b64(b"x")})
    assert response.status_code == 412
    assert response.json() == {
        "help_message": "key is disabled", "message": "precondition is not respected", "precondition": "unknown_precondition", "type": "precondition_failed",
    }
    assert km.ok("PATCH", "/keys/%s" % key["id"], {"description": "still editable"})["description"] == "still editable"


@pytest.mark.parametrize("action", ["encrypt", "generate-data-key"])
def test_crypto_on_pending_key_fails(km, action):
    key = km.create(origin="external")
    response = km.call("POST", "/keys/%s/%s" % (key["id"], action), {"plaintext": b64(b"x")})
    assert (response.status_code, response.json()["help_message"]) == (412, "key has no key material")


def test_enable_of_pending_key_is_refused(km):
    key = km.create(origin="external")
    assert km.call("POST", "/keys/%s/enable" % key["id"], {}).status_code == 412


def test_rotate_symmetric_key(km):
    key = km.create(rotation_policy={"rotation_period": "2592000s"})
    rotated = km.action(key, "rotate")
    assert rotated["rotation_count"] == 2
    assert rotated["rotated_at"] == rotated["updated_at"] != key["rotated_at"]
    assert rotated["rotation_policy"] == key["rotation_policy"]


@pytest.mark.parametrize("algorithm", ["ec_p256_sha256", "rsa_oaep_2048_sha256"])
def test_rotate_asymmetric_key_is_refused_and_key_untouched(km, algorithm):
    key = km.create(algorithm)
    response = km.call("POST", "/keys/%s/rotate" % key["id"], {})
    assert (response.status_code, response.json()["help_message"]) == (412, "asymmetric keys cannot be rotated")
    assert km.get(key) == key


def test_rotate_external_key_is_refused(km):
    key = km.create(origin="external")
    km.action(key, "import-key-material", {"key_material": b64(b"a" * 32)})
    response = km.call("POST", "/keys/%s/rotate" % key["id"], {})
    assert (response.status_code, response.json()["type"]) == (412, "precondition_failed")


def test_delete_schedules_deletion(km):
    key = km.create(tags=["a"], description="d")
    response = km.call("DELETE", "/keys/%s" % key["id"])
    assert (response.status_code, response.content, response.headers["Content-Type"]) == (204, b"", "application/json")
    scheduled = km.get(key)
    assert scheduled["state"] == "scheduled_for_deletion"
    assert scheduled["deletion_requested_at"] == scheduled["updated_at"] != key["updated_at"]
    unchanged = ("rotation_count", "rotated_at", "tags", "description", "created_at", "name")
    assert {field: scheduled[field] for field in unchanged} == {field: key[field] for field in unchanged}


def test_delete_protected_key_gives_412_and_key_untouched(km):
    key = km.create(unprotected=False)
    response = km.call("DELETE", "/keys/%s" % key["id"])
    assert response.status_code == 412
    assert response.json() == {
        "help_message": "cannot delete a protected key", "message": "precondition is not respected",
        "precondition": "protected_resource", "type": "precondition_failed",
    }
    assert km.get(key) == key


def test_unprotect_then_delete(km):
    key = km.create(unprotected=False)
    assert km.action(key, "unprotect")["protected"] is False
    assert km.call("DELETE", "/keys/%s" % key["id"]).status_code == 204


def test_protect_unprotect_enable_disable_are_idempotent(km):
    key = km.create(unprotected=False)
    for action in ("protect", "enable"):
        assert km.action(key, action) == key
    km.action(key, "unprotect")
    km.action(key, "disable")
    current = km.get(key)
    for action in ("unprotect", "disable"):
        assert km.action(key, action) == current


@pytest.mark.parametrize("previous", ["enabled", "disabled"])
def test_restore_returns_to_state_before_deletion(km, previous):
    key = km.create()
    if previous == "disabled":
        km.action(key, "disable")
    km.call("DELETE", "/keys/%s" % key["id"])
    restored = km.action(key, "restore")
    assert (restored["state"], restored["deletion_requested_at"]) == (previous, None)


def test_restore_of_key_not_scheduled_is_refused(km):
    key = km.create()
    response = km.call("POST", "/keys/%s/restore" % key["id"], {})
    assert (response.status_code, response.json()["help_message"]) == (412, "key is not scheduled for deletion")


@pytest.mark.parametrize("method, suffix, body", [
    ("PATCH", "", {"name": "x"}),
    ("POST", "/encrypt", {"plaintext": b64(b"x")}),
    ("POST", "/protect", {}),
    ("POST", "/enable", {}),
    ("POST", "/rotate", {}),
    ("DELETE", "", None),
])
def test_scheduled_key_can_only_be_read_or_restored(km, method, suffix, body):
    key = km.create()
    km.call("DELETE", "/keys/%s" % key["id"])
    before = km.get(key)
    response = km.call(method, "/keys/%s%s" % (key["id"], suffix), body)
    assert (response.status_code, response.json()["help_message"]) == (412, "key is scheduled for deletion")
    assert km.get(key) == before


def test_purge_seven_days_after_deletion_request(km, km_emulator):
    key = km.create()
    km.call("DELETE", "/keys/%s" % key["id"])
    km_emulator.advance(7 * DAY - 5)
    assert km.get(key)["state"] == "scheduled_for_deletion"
    assert km.list(scheduled_for_deletion="true")["total_count"] == 1
    km_emulator.advance(10)
    response = km.call("GET", "/keys/%s" % key["id"])
    assert response.status_code == 404
    assert km.list(scheduled_for_deletion="true") == {"keys": [], "total_count": 0}


def test_restored_key_is_not_purged(km, km_emulator):
    key = km.create()
    km.call("DELETE", "/keys/%s" % key["id"])
    km.action(key, "restore")
    km_emulator.advance(8 * DAY)
    assert km.get(key)["state"] == "enabled"


def test_automatic_rotation_when_clock_passes_next_rotation_at(km, km_emulator):
    key = km.create(rotation_policy={"rotation_period": "86400s", "next_rotation_at": None})
    first_next = parse(key["rotation_policy"]["next_rotation_at"])
    ciphertext = km.encrypt(key, b"old data")
    km_emulator.advance(DAY + 1)
    rotated = km.get(key)
    assert rotated["rotation_count"] == 2
    assert parse(rotated["rotation_policy"]["next_rotation_at"]) == first_next + datetime.timedelta(days=1)
    assert parse(rotated["rotated_at"]) == first_next
    km_emulator.advance(3 * DAY)
    assert km.get(key)["rotation_count"] == 5
    assert km.decrypt(key, ciphertext)["ciphertext"] is not None


def test_manual_rotate_keeps_next_rotation_at(km):
    key = km.create(rotation_policy={"rotation_period": "86400s", "next_rotation_at": "2999-01-01T00:00:00Z"})
    assert km.action(key, "rotate")["rotation_policy"]["next_rotation_at"] == "2999-01-01T00:00:00Z"


def test_omitted_next_rotation_at_is_now_plus_period(km, km_emulator):
    km_emulator.set_now("2030-01-01T00:00:00Z")
    key = km.create(rotation_policy={"rotation_period": "2592000.000000000s"})
    assert key["rotation_policy"]["rotation_period"] == "2592000s"
    next_at = parse(key["rotation_policy"]["next_rotation_at"])
    assert datetime.timedelta(days=30) <= next_at - parse("2030-01-01T00:00:00Z") < datetime.timedelta(days=30, seconds=5)


@pytest.mark.parametrize("period, status", [
    ("86399s", 400), ("86400s", 200), ("3153600000s", 200), ("3153600001s", 400), ("720h", 400), ("-5s", 400),
])
def test_rotation_period_bounds(km, period, status):
    response = km.call("POST", "/keys", {
        "project_id": km.project_id, "usage": {"symmetric_encryption": "aes_256_gcm"}, "rotation_policy": {"rotation_period": period},
    })
    assert response.status_code == status, response.text
    if status == 400:
        assert response.json()["details"][0]["argument_name"] == "rotation_policy.rotation_period"


def test_next_rotation_at_in_the_past_is_rejected(km):
    response = km.call("POST", "/keys", {
        "project_id": km.project_id, "usage": {"symmetric_encryption": "aes_256_gcm"},
        "rotation_policy": {"rotation_period": "86400s", "next_rotation_at": "2001-01-01T00:00:00Z"},
    })
    assert response.status_code == 400
    expected = {"argument_name": "rotation_policy.next_rotation_at", "help_message": "must be in the future", "reason": "constraint"}
    assert response.json()["details"] == [expected]


def test_rotation_policy_update_changes_updated_at_only(km):
    key = km.create()
    policy = {"rotation_period": "31536000.000000000s", "next_rotation_at": "2999-03-01T00:00:00+00:00"}
    updated = km.ok("PATCH", "/keys/%s" % key["id"], {"rotation_policy": policy})
    assert updated["rotation_policy"] == {"rotation_period": "31536000s", "next_rotation_at": "2999-03-01T00:00:00Z"}
    assert updated["updated_at"] != key["updated_at"]
    assert (updated["rotated_at"], updated["rotation_count"]) == (key["rotated_at"], key["rotation_count"])


def test_rotation_policy_refused_for_asymmetric_keys(km):
    response = km.call("POST", "/keys", {
        "project_id": km.project_id, "usage": {"asymmetric_signing": "ec_p256_sha256"}, "rotation_policy": {"rotation_period": "86400s"},
    })
    assert (response.status_code, response.json()["details"][0]["argument_name"]) == (400, "rotation_policy")


def test_update_replaces_given_fields_and_keeps_others(km):
    key = km.create(description="before", tags=["a", "b"])
    updated = km.ok("PATCH", "/keys/%s" % key["id"], {"name": "renamed", "tags": []})
    assert (updated["name"], updated["description"], updated["tags"]) == ("renamed", "before", [])
    assert km.ok("PATCH", "/keys/%s" % key["id"], {}) == updated


def test_locked_key_refuses_mutations_but_serves_reads(km, km_emulator):
    key = km.create()
    assert km_emulator.set_locked(key["id"], True)["locked"] is True
    for method, suffix in (("POST", "/rotate"), ("PATCH", ""), ("DELETE", ""), ("POST", "/disable")):
        response = km.call(method, "/keys/%s%s" % (key["id"], suffix), {})
        assert response.status_code == 423
        assert response.json() == {"message": "resource is locked", "resource": "key", "resource_id": key["id"], "type": "locked"}
    assert km.get(key)["locked"] is True
    assert km.decrypt(key, km.encrypt(key, b"still usable"))["plaintext"] == b64(b"still usable")
    km_emulator.set_locked(key["id"], False)
    assert km.action(key, "rotate")["rotation_count"] == 2


def test_every_mutation_bumps_updated_at(km, km_emulator):
    key = km.create(unprotected=False)
    seen = {key["updated_at"]}
    for action in ("disable", "enable", "unprotect", "protect", "rotate"):
        km_emulator.advance(1)
        seen.add(km.action(key, action)["updated_at"])
    km_emulator.advance(1)
    seen.add(km.ok("PATCH", "/keys/%s" % key["id"], {"name": "n2"})["updated_at"])
    assert len(seen) == 7
