"""Real cryptography: every algorithm round trips, and results verify with an independent library call."""

import hashlib
import struct

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from emulator_helpers import b64, unb64
from scwkms_emulator.constants import HKDF_INFO

DIGEST = hashlib.sha256(b"this is a message to sign").digest()
DIGEST_384 = hashlib.sha384(b"this is a message to sign").digest()


def public_key(km, key):
    pem = km.ok("GET", "/keys/%s/public-key" % key["id"])["pem"]
    return pem, serialization.load_pem_public_key(pem.replace(" EC PUBLIC KEY", " PUBLIC KEY").encode())


def header(ciphertext):
    return struct.unpack(">BI", ciphertext[:5])


def test_aes_round_trip_and_layout(km):
    key = km.create()
    ciphertext = km.encrypt(key, b"this is some secret data", b"ad")
    assert len(ciphertext) == 24 + 33
    assert header(ciphertext) == (1, 1)
    decrypted = km.decrypt(key, ciphertext, b"ad")
    assert (unb64(decrypted["plaintext"]), decrypted["ciphertext"], decrypted["key_id"]) == (b"this is some secret data", None, key["id"])


def test_new_ciphertexts_use_newest_version(km):
    key = km.create()
    km.action(key, "rotate")
    km.action(key, "rotate")
    assert header(km.encrypt(key, b"x")) == (1, 3)


def test_old_version_decrypt_returns_ciphertext_reencrypted_with_newest_version_same_ad(km):
    key = km.create()
    old = km.encrypt(key, b"rotate me", b"context")
    km.action(key, "rotate")
    answer = km.decrypt(key, old, b"context")
    refreshed = unb64(answer["ciphertext"])
    assert unb64(answer["plaintext"]) == b"rotate me"
    assert header(refreshed) == (1, 2)
    again = km.decrypt(key, refreshed, b"context")
    assert (unb64(again["plaintext"]), again["ciphertext"]) == (b"rotate me", None)
    assert km.call("POST", "/keys/%s/decrypt" % key["id"], {"ciphertext": b64(refreshed)}).status_code == 400


def test_ciphertext_of_another_key_does_not_decrypt(km):
    first, second = km.create(), km.create()
    response = km.call("POST", "/keys/%s/decrypt" % second["id"], {"ciphertext": b64(km.encrypt(first, b"x"))})
    assert response.status_code == 400


@pytest.mark.parametrize("algorithm, modulus_bytes, limit", [
    ("rsa_oaep_2048_sha256", 256, 190), ("rsa_oaep_3072_sha256", 384, 318), ("rsa_oaep_4096_sha256", 512, 446),
])
def test_rsa_oaep_round_trip_and_plaintext_limit(km, algorithm, modulus_bytes, limit):
    key = km.create(algorithm)
    pem, public = public_key(km, key)
    assert pem.startswith("-----BEGIN RSA PUBLIC KEY-----\n")
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    local = public.encrypt(b"m" * limit, oaep)
    assert unb64(km.decrypt(key, local)["plaintext"]) == b"m" * limit
    remote = km.encrypt(key, b"short")
    assert len(remote) == modulus_bytes
    assert km.decrypt(key, remote) == {"key_id": key["id"], "plaintext": b64(b"short"), "ciphertext": None}
    too_long = km.call("POST", "/keys/%s/encrypt" % key["id"], {"plaintext": b64(b"m" * (limit + 1))})
    assert (too_long.status_code, too_long.json()["details"][0]["argument_name"]) == (400, "plaintext")


def test_rsa_public_key_is_pkcs1_der(km):
    pem, public = public_key(km, km.create("rsa_pss_2048_sha256"))
    der = serialization.load_pem_public_key(pem.encode()).public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    assert public.public_numbers().n.bit_length() == 2048
    assert b64(der) == "".join(pem.strip().splitlines()[1:-1])


def test_ec_public_key_is_spki_under_ec_header(km):
    pem, public = public_key(km, km.create("ec_p256_sha256"))
    assert pem.startswith("-----BEGIN EC PUBLIC KEY-----\n") and pem.endswith("-----END EC PUBLIC KEY-----\n")
    spki = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert b64(spki) == "".join(pem.strip().splitlines()[1:-1])


def test_each_key_has_its_own_rsa_key(km):
    first = public_key(km, km.create("rsa_oaep_2048_sha256"))[0]
    second = public_key(km, km.create("rsa_oaep_2048_sha256"))[0]
    assert first != second


@pytest.mark.parametrize("algorithm", ["rsa_pss_2048_sha256", "rsa_pss_3072_sha256", "rsa_pss_4096_sha256"])
def test_rsa_pss_signs_with_digest_length_salt(km, algorithm):
    key = km.create(algorithm)
    public = public_key(km, key)[1]
    signature = unb64(km.action(key, "sign", {"digest": b64(DIGEST)})["signature"])
    assert len(signature) == public.key_size // 8
    public.verify(signature, DIGEST, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), utils.Prehashed(hashes.SHA256()))
    assert km.action(key, "verify", {"digest": b64(DIGEST), "signature": b64(signature)}) == {"key_id": key["id"], "valid": True}


def test_rsa_pss_verify_accepts_any_salt_length(km, km_emulator):
    key = km.create("rsa_pss_2048_sha256")
    private = km_emulator.emulator.store.find_any(key["id"]).versions[0].private_key
    max_salt = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
    signature = private.sign(DIGEST, max_salt, utils.Prehashed(hashes.SHA256()))
    assert km.action(key, "verify", {"digest": b64(DIGEST), "signature": b64(signature)})["valid"] is True
    assert km.action(key, "verify", {"digest": b64(DIGEST), "signature": b64(b"\x00" * 256)})["valid"] is False


def test_rsa_pss_signatures_are_randomised(km):
    key = km.create("rsa_pss_2048_sha256")
    signatures = {km.action(key, "sign", {"digest": b64(DIGEST)})["signature"] for _attempt in range(3)}
    assert len(signatures) == 3


@pytest.mark.parametrize("algorithm", ["rsa_pkcs1_2048_sha256", "rsa_pkcs1_3072_sha256", "rsa_pkcs1_4096_sha256"])
def test_rsa_pkcs1_v15_signature(km, algorithm):
    key = km.create(algorithm)
    public = public_key(km, key)[1]
    signature = unb64(km.action(key, "sign", {"digest": b64(DIGEST)})["signature"])
    public.verify(signature, DIGEST, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    assert km.action(key, "sign", {"digest": b64(DIGEST)})["signature"] == b64(signature)


@pytest.mark.parametrize("algorithm, digest, hash_algorithm", [
    ("ec_p256_sha256", DIGEST, hashes.SHA256()), ("ec_p384_sha384", DIGEST_384, hashes.SHA384()),
])
def test_ecdsa_signature_is_der(km, algorithm, digest, hash_algorithm):
    key = km.create(algorithm)
    public = public_key(km, key)[1]
    signature = unb64(km.action(key, "sign", {"digest": b64(digest)})["signature"])
    assert signature[0] == 0x30
    utils.decode_dss_signature(signature)
    public.verify(signature, digest, ec.ECDSA(utils.Prehashed(hash_algorithm)))


def test_verify_answers_false_for_bad_or_foreign_signature(km):
    first, second = km.create("ec_p256_sha256"), km.create("ec_p256_sha256")
    signature = km.action(first, "sign", {"digest": b64(DIGEST)})["signature"]
    assert km.action(second, "verify", {"digest": b64(DIGEST), "signature": signature}) == {"key_id": second["id"], "valid": False}
    assert km.action(first, "verify", {"digest": b64(DIGEST), "signature": b64(b"garbage")})["valid"] is False
    assert km.action(first, "verify", {"digest": b64(bytes(32)), "signature": signature})["valid"] is False


@pytest.mark.parametrize("algorithm", ["ml_dsa_44", "ml_dsa_65", "ml_dsa_87"])
def test_ml_dsa_signs_the_digest(km, algorithm):
    key = km.create(algorithm)
    pem, public = public_key(km, key)
    assert pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    signature = unb64(km.action(key, "sign", {"digest": b64(DIGEST)})["signature"])
    public.verify(signature, DIGEST)
    assert km.action(key, "verify", {"digest": b64(DIGEST), "signature": b64(signature)})["valid"] is True


@pytest.mark.parametrize("algorithm", ["ml_kem_768", "ml_kem_1024"])
def test_ml_kem_wrap_unwrap(km, algorithm):
    key = km.create(algorithm)
    assert public_key(km, key)[0].startswith("-----BEGIN PUBLIC KEY-----\n")
    wrapped = km.action(key, "wrap", {"plaintext": b64(b"k" * 32), "associated_data": b64(b"ctx")})["ciphertext"]
    assert km.action(key, "unwrap", {"ciphertext": wrapped, "associated_data": b64(b"ctx")}) == {"key_id": key["id"], "plaintext": b64(b"k" * 32)}
    assert km.call("POST", "/keys/%s/unwrap" % key["id"], {"ciphertext": wrapped}).status_code == 400
    assert km.call("POST", "/keys/%s/encrypt" % key["id"], {"plaintext": b64(b"x")}).status_code == 412


def test_wrap_needs_ml_kem_key(km):
    assert km.call("POST", "/keys/%s/wrap" % km.create()["id"], {"plaintext": b64(b"x")}).status_code == 412


def test_data_key(km):
    key = km.create()
    data_key = km.action(key, "generate-data-key", {"without_plaintext": False})
    assert list(data_key) == ["key_id", "algorithm", "ciphertext", "plaintext", "created_at"]
    plaintext, ciphertext = unb64(data_key["plaintext"]), unb64(data_key["ciphertext"])
    assert (len(plaintext), len(ciphertext), data_key["algorithm"]) == (32, 65, "aes_256_gcm")
    assert unb64(km.decrypt(key, ciphertext)["plaintext"]) == plaintext


def test_data_key_without_plaintext(km):
    key = km.create()
    data_key = km.action(key, "generate-data-key", {"algorithm": "aes_256_gcm", "without_plaintext": True})
    assert data_key["plaintext"] is None
    assert len(unb64(km.decrypt(key, unb64(data_key["ciphertext"]))["plaintext"])) == 32


def test_imported_material_is_derived_with_hkdf_and_salt(km):
    key = km.create(origin="external")
    material, salt = b"my-secret-key-material-32bytes!!", b"my-salt-16bytes!"
    km.action(key, "import-key-material", {"key_material": b64(material), "salt": b64(salt)})
    ciphertext = km.encrypt(key, b"byok data", b"ad")
    aes_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=HKDF_INFO).derive(material)
    assert AESGCM(aes_key).decrypt(ciphertext[5:17], ciphertext[17:], b"ad") == b"byok data"


def test_import_without_salt_uses_a_random_salt(km):
    first, second = km.create(origin="external"), km.create(origin="external")
    for key in (first, second):
        km.action(key, "import-key-material", {"key_material": b64(b"same material, no salt, 32 bytes")})
    response = km.call("POST", "/keys/%s/decrypt" % second["id"], {"ciphertext": b64(km.encrypt(first, b"x"))})
    assert response.status_code == 400
