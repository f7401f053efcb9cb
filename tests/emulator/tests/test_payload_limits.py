"""Issue 9: the emulator enforces the service's plaintext and ciphertext limits (1..65535, 1..131071 bytes) with the
API's invalid_arguments bodies, before looking at the key's material, as scwkms_encrypt / scwkms_decrypt expect."""

import pytest

from emulator_helpers import b64


def error(response):
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["message"], body["type"]) == ("invalid argument(s)", "invalid_arguments")
    (detail,) = body["details"]
    return detail["argument_name"], detail["reason"], detail.get("help_message")


@pytest.mark.parametrize("size, expected", [
    (0, ("plaintext", "required", None)),
    (65536, ("plaintext", "constraint", "must be between 1 and 65535 bytes")),
    (131072, ("plaintext", "constraint", "must be between 1 and 65535 bytes")),
])
def test_encrypt_plaintext_limits(km, size, expected):
    key = km.create()
    response = km.call("POST", "/keys/%s/encrypt" % key["id"], {"plaintext": b64(b"p" * size)})
    assert error(response)[:2] == expected[:2]
    if expected[2]:
        assert error(response)[2] == expected[2]


@pytest.mark.parametrize("size", [1, 65535])
def test_encrypt_plaintext_bounds_are_accepted(km, size):
    key = km.create()
    assert len(km.encrypt(key, b"p" * size)) == size + 33


@pytest.mark.parametrize("size, expected", [
    (0, ("ciphertext", "required")),
    (131072, ("ciphertext", "constraint")),
])
def test_decrypt_ciphertext_limits(km, size, expected):
    key = km.create()
    response = km.call("POST", "/keys/%s/decrypt" % key["id"], {"ciphertext": b64(b"\x01" * size)})
    name, reason, help_message = error(response)
    assert (name, reason) == expected
    if reason == "constraint":
        assert help_message == "must be between 1 and 131071 bytes"


def test_largest_ciphertext_is_checked_for_authenticity_not_size(km):
    key = km.create()
    response = km.call("POST", "/keys/%s/decrypt" % key["id"], {"ciphertext": b64(b"\x01\x00\x00\x00\x01" + bytes(131066))})
    assert error(response) == ("ciphertext", "constraint", "cipher: message authentication failed")


def test_limits_apply_to_asymmetric_keys_too(km):
    key = km.create("rsa_oaep_2048_sha256")
    assert error(km.call("POST", "/keys/%s/decrypt" % key["id"], {"ciphertext": b64(bytes(131072))}))[:2] == (
        "ciphertext", "constraint")
    assert error(km.call("POST", "/keys/%s/encrypt" % key["id"], {"plaintext": ""}))[:2] == ("plaintext", "required")


def test_limits_are_checked_before_the_key_state(km):
    key = km.create()
    km.action(key, "disable")
    response = km.call("POST", "/keys/%s/encrypt" % key["id"], {"plaintext": b64(b"p" * 65536)})
    assert error(response)[:2] == ("plaintext", "constraint")
