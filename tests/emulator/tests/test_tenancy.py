"""Authentication and tenancy with --credentials (reference section 1.2)."""

import json
import uuid

import pytest

from emulator_helpers import Km, b64
from scwkms_emulator.testing import running_emulator

TOKEN_A, TOKEN_B = str(uuid.uuid4()), str(uuid.uuid4())
PROJECT_A, PROJECT_B, PROJECT_SHARED = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())


@pytest.fixture(scope="module")
def tenant_emulator(tmp_path_factory):
    path = tmp_path_factory.mktemp("credentials") / "credentials.yaml"
    path.write_text("%s: [%s, %s]\n%s:\n  - %s\n  - %s\n" % (TOKEN_A, PROJECT_A, PROJECT_SHARED, TOKEN_B, PROJECT_B, PROJECT_SHARED))
    with running_emulator(credentials=path) as handle:
        yield handle


@pytest.fixture
def tenants(tenant_emulator):
    tenant_emulator.reset()
    return Km(tenant_emulator.url, TOKEN_A, PROJECT_A), Km(tenant_emulator.url, TOKEN_B, PROJECT_B)


@pytest.mark.parametrize("method, suffix, body", [
    ("GET", "", None), ("PATCH", "", {"name": "stolen"}), ("DELETE", "", None), ("POST", "/rotate", {}),
    ("POST", "/encrypt", {"plaintext": b64(b"x")}), ("POST", "/restore", {}),
])
def test_key_of_project_a_is_invisible_to_token_b(tenants, method, suffix, body):
    alice, bob = tenants
    key = alice.create()
    response = bob.call(method, "/keys/%s%s" % (key["id"], suffix), body)
    assert response.status_code == 404
    assert response.json() == {"message": "resource is not found", "resource": "key", "resource_id": key["id"], "type": "not_found"}
    assert alice.get(key) == key


def test_list_shows_only_own_projects(tenants):
    alice, bob = tenants
    alice.create()
    shared = alice.create(project_id=PROJECT_SHARED)
    assert bob.list(project_id=PROJECT_SHARED)["keys"] == [shared]
    assert [key["id"] for key in bob.ok("GET", "/keys", params={"organization_id": str(uuid.uuid4())})["keys"]] == [shared["id"]]


def test_foreign_project_on_create_or_list_is_403(tenants):
    alice = tenants[0]
    response = alice.call("POST", "/keys", {"project_id": PROJECT_B, "usage": {"symmetric_encryption": "aes_256_gcm"}})
    assert (response.status_code, response.json()["type"]) == (403, "permissions_denied")
    assert alice.call("GET", "/keys", params={"project_id": PROJECT_B}).status_code == 403


def test_unknown_token_is_401_not_found(tenants):
    alice = tenants[0]
    response = alice.call("GET", "/keys", params={"project_id": PROJECT_A}, token=str(uuid.uuid4()))
    assert response.status_code == 401
    assert response.json()["reason"] == "not_found"


def test_single_user_mode_accepts_any_uuid_token_for_any_project(km):
    key = km.create()
    stranger = Km(km.url, token=str(uuid.uuid4()), project_id=km.project_id)
    assert stranger.get(key) == key


def test_json_credentials_file(tmp_path):
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps({TOKEN_A: [PROJECT_A]}))
    with running_emulator(credentials=str(path)) as handle:
        assert Km(handle.url, TOKEN_A, PROJECT_A).create()["project_id"] == PROJECT_A
        assert Km(handle.url, TOKEN_B, PROJECT_A).call("GET", "/keys", params={"project_id": PROJECT_A}).status_code == 401
