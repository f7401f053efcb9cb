"""Helpers of the emulator's own tests: a small requests-based API client."""

import base64
import uuid

import requests

from scwkms_emulator.constants import ALGORITHMS

USAGE_OF = {algorithm: usage for usage, algorithms in ALGORITHMS.items() for algorithm in algorithms}


def b64(data):
    return base64.b64encode(data).decode()


def unb64(text):
    return base64.b64decode(text)


class Km:
    """Calls the emulator's API as one token and one project."""

    def __init__(self, url, token=None, project_id=None, region="fr-par"):
        self.url = url
        self.token = token or str(uuid.uuid4())
        self.project_id = project_id or str(uuid.uuid4())
        self.region = region
        self.session = requests.Session()

    def call(self, method, path, body=None, params=None, token=None, region=None):
        """One request; a redirect (fault ``redirect``) is answered, never followed: it would carry the token."""
        headers = {"X-Auth-Token": self.token if token is None else token}
        url = "%s/key-manager/v1alpha1/regions/%s%s" % (self.url, region or self.region, path)
        return self.session.request(method, url, json=body, params=params, headers=headers, timeout=60, allow_redirects=False)

    def ok(self, method, path, body=None, params=None, status=200):
        response = self.call(method, path, body, params)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def create(self, algorithm="aes_256_gcm", **fields):
        body = {"project_id": self.project_id, "name": "key-%s" % uuid.uuid4().hex[:8], "usage": {USAGE_OF[algorithm]: algorithm}, "unprotected": True}
        body.update(fields)
        return self.ok("POST", "/keys", body)

    def action(self, key, action, body=None, status=200):
        return self.ok("POST", "/keys/%s/%s" % (key["id"], action), {} if body is None else body, status=status)

    def get(self, key):
        return self.ok("GET", "/keys/%s" % key["id"])

    def encrypt(self, key, plaintext, associated_data=None):
        body = {"plaintext": b64(plaintext), "associated_data": None if associated_data is None else b64(associated_data)}
        return unb64(self.action(key, "encrypt", body)["ciphertext"])

    def decrypt(self, key, ciphertext, associated_data=None):
        body = {"ciphertext": b64(ciphertext), "associated_data": None if associated_data is None else b64(associated_data)}
        return self.action(key, "decrypt", body)

    def list(self, **params):
        params.setdefault("project_id", self.project_id)
        return self.ok("GET", "/keys", params=params)
