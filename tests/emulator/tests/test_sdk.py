"""The official Scaleway Python SDK (scaleway 2.12.0), unmodified, through the whole key lifecycle."""

import base64
import datetime
import hashlib
import uuid

import pytest
from scaleway import Client
from scaleway.key_manager.v1alpha1 import KeyManagerV1Alpha1API, KeyRotationPolicy, KeyUsage
from scaleway_core.api import ScalewayException

from scwkms_emulator.constants import ALGORITHMS

DIGEST = hashlib.sha256(b"message").digest()


def b64(data):
    return base64.b64encode(data).decode()


@pytest.fixture
def api(km_emulator):
    client = Client(
        access_key="SCW" + "A1B2C3D4E5F6G7H8J", secret_key=str(uuid.uuid4()), default_project_id=str(uuid.uuid4()),
        default_region="fr-par", api_url=km_emulator.url,
    )
    return KeyManagerV1Alpha1API(client)


def usage_for(usage_name, algorithm):
    """Every one-of member passed explicitly: the SDK would otherwise send unknown_symmetric_encryption."""
    members = {"symmetric_encryption": None, "asymmetric_encryption": None, "asymmetric_signing": None}
    members[usage_name] = algorithm
    return KeyUsage(**members)


@pytest.mark.parametrize("usage_name, algorithm", [(usage, algorithm) for usage, algorithms in ALGORITHMS.items() for algorithm in algorithms])
def test_create_get_and_delete_every_algorithm(api, usage_name, algorithm):
    key = api.create_key(unprotected=True, name="sdk-%s" % algorithm, usage=usage_for(usage_name, algorithm), tags=["sdk"])
    assert getattr(key.usage, usage_name) == algorithm
    assert (key.state, key.rotation_count, key.tags, key.protected) == ("enabled", 1, ["sdk"], False)
    fetched = api.get_key(key_id=key.id)
    assert fetched.created_at == key.created_at
    if usage_name != "symmetric_encryption":
        assert "PUBLIC KEY-----" in api.get_public_key(key_id=key.id).pem
    api.delete_key(key_id=key.id)
    assert api.get_key(key_id=key.id).deletion_requested_at is not None


def test_python_sdk_one_of_bug_is_answered_with_400(api):
    with pytest.raises(ScalewayException) as raised:
        api.create_key(unprotected=True, usage=KeyUsage(asymmetric_signing="ec_p256_sha256"))
    assert raised.value.status_code == 400


def test_symmetric_lifecycle(api, km_emulator):
    policy = KeyRotationPolicy(rotation_period="2592000s", next_rotation_at=datetime.datetime(2999, 1, 1, tzinfo=datetime.timezone.utc))
    key = api.create_key(unprotected=False, name="sdk-aes", usage=usage_for("symmetric_encryption", "aes_256_gcm"), rotation_policy=policy)
    assert key.protected and key.rotation_policy.rotation_period == "2592000s"

    updated = api.update_key(key_id=key.id, name="sdk-aes-renamed", description="described", tags=["a", "b"])
    assert (updated.name, updated.description, updated.tags) == ("sdk-aes-renamed", "described", ["a", "b"])

    ciphertext = api.encrypt(key_id=key.id, plaintext=b64(b"hello sdk"), associated_data=b64(b"ad")).ciphertext
    rotated = api.rotate_key(key_id=key.id)
    assert rotated.rotation_count == 2
    decrypted = api.decrypt(key_id=key.id, ciphertext=ciphertext, associated_data=b64(b"ad"))
    assert base64.b64decode(decrypted.plaintext) == b"hello sdk" and decrypted.ciphertext is not None

    data_key = api.generate_data_key(key_id=key.id, without_plaintext=False)
    assert len(base64.b64decode(data_key.plaintext)) == 32 and data_key.created_at is not None
    assert api.decrypt(key_id=key.id, ciphertext=data_key.ciphertext).plaintext == data_key.plaintext

    assert api.disable_key(key_id=key.id).state == "disabled"
    with pytest.raises(ScalewayException) as raised:
        api.encrypt(key_id=key.id, plaintext=b64(b"x"))
    assert raised.value.status_code == 412
    assert api.enable_key(key_id=key.id).state == "enabled"

    with pytest.raises(ScalewayException) as raised:
        api.delete_key(key_id=key.id)
    assert raised.value.status_code == 412
    assert api.unprotect_key(key_id=key.id).protected is False
    assert api.protect_key(key_id=key.id).protected is True
    api.unprotect_key(key_id=key.id)

    api.delete_key(key_id=key.id)
    assert api.list_keys(scheduled_for_deletion=True).total_count == 1
    restored = api.restore_key(key_id=key.id)
    assert (restored.state, restored.deletion_requested_at) == ("enabled", None)
    assert km_emulator.counts()["POST /keys/{key_id}/restore"] == 1


@pytest.mark.parametrize("algorithm", ["ec_p256_sha256", "rsa_pss_2048_sha256", "rsa_pkcs1_2048_sha256", "ml_dsa_44"])
def test_sign_and_verify(api, algorithm):
    key = api.create_key(unprotected=True, usage=usage_for("asymmetric_signing", algorithm))
    signature = api.sign(key_id=key.id, digest=b64(DIGEST)).signature
    assert api.verify(key_id=key.id, digest=b64(DIGEST), signature=signature).valid is True
    assert api.verify(key_id=key.id, digest=b64(bytes(32)), signature=signature).valid is False


def test_asymmetric_encryption(api):
    key = api.create_key(unprotected=True, usage=usage_for("asymmetric_encryption", "rsa_oaep_2048_sha256"))
    ciphertext = api.encrypt(key_id=key.id, plaintext=b64(b"rsa")).ciphertext
    assert api.decrypt(key_id=key.id, ciphertext=ciphertext).plaintext == b64(b"rsa")
    assert api.get_public_key(key_id=key.id).pem.startswith("-----BEGIN RSA PUBLIC KEY-----")


def test_ml_kem_wrap_unwrap(api):
    key = api.create_key(unprotected=True, usage=usage_for("asymmetric_encryption", "ml_kem_768"))
    wrapped = api.wrap_key(key_id=key.id, plaintext=b64(b"k" * 32)).ciphertext
    assert api.unwrap_key(key_id=key.id, ciphertext=wrapped).plaintext == b64(b"k" * 32)


def test_import_and_delete_key_material(api):
    key = api.create_key(unprotected=True, usage=usage_for("symmetric_encryption", "aes_256_gcm"), origin="external")
    assert (key.state, key.rotation_count, key.rotated_at) == ("pending_key_material", 0, None)
    imported = api.import_key_material(key_id=key.id, key_material=b64(b"m" * 32), salt=b64(b"s" * 16))
    assert (imported.state, imported.rotation_count) == ("enabled", 1)
    ciphertext = api.encrypt(key_id=key.id, plaintext=b64(b"byok")).ciphertext
    assert api.decrypt(key_id=key.id, ciphertext=ciphertext).plaintext == b64(b"byok")
    api.delete_key_material(key_id=key.id)
    assert api.get_key(key_id=key.id).state == "pending_key_material"


def test_list_keys_all_walks_every_page(api):
    for index in range(25):
        api.create_key(unprotected=True, name="page-%02d" % index, usage=usage_for("symmetric_encryption", "aes_256_gcm"))
    keys = api.list_keys_all(scheduled_for_deletion=False, page_size=10)
    assert [key.name for key in keys] == ["page-%02d" % index for index in range(25)]
    assert len(api.list_keys_all(scheduled_for_deletion=False)) == 25
    assert api.list_keys(scheduled_for_deletion=False, order_by="name_desc", page=2, page_size=20).keys[0].name == "page-04"


def test_list_algorithms(api):
    algorithms = api.list_algorithms(usages=["asymmetric_signing"]).algorithms
    assert {algorithm.usage for algorithm in algorithms} == {"asymmetric_signing"}
