"""Replay every recorded real exchange (go-vcr cassettes) against the emulator.

For each cassette, the Key Manager requests are sent in order (Secret Manager calls are skipped).
Recorded ids and random outputs (key ids, ciphertexts, data keys) are mapped to the emulator's
own as they appear, then every response must have the recorded status and the same shape: field
names, JSON types, nulls, enum values, list lengths, counts and booleans, user-supplied values
exactly, base64 byte lengths of random outputs, and timestamps that parse. The emulator clock is
set to the recording's date, so recorded future instants (next_rotation_at) stay in the future.
"""

import base64
import datetime
import email.utils
import functools
import json
import pathlib
import uuid

import pytest
import requests
import yaml

TESTS_DIR = pathlib.Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parents[2]
SHARED_RECORDED = REPO_ROOT.parent / "shared" / "recorded"
COPIED_RECORDED = TESTS_DIR / "recorded"
RECORDED_DIR = SHARED_RECORDED if SHARED_RECORDED.is_dir() else COPIED_RECORDED
CASSETTES = sorted(path.name for path in RECORDED_DIR.glob("*.cassette.yaml"))

KEY_MANAGER = "/key-manager/v1alpha1/"
MAPPED_FIELDS = {"id", "key_id", "project_id", "ciphertext", "plaintext", "signature"}
BASE64_FIELDS = {"ciphertext", "plaintext", "signature", "pem"}
TIMESTAMP_FIELDS = {"created_at", "updated_at", "rotated_at", "deletion_requested_at", "next_rotation_at"}


@functools.lru_cache(maxsize=None)
def key_manager_interactions(cassette):
    document = yaml.load((RECORDED_DIR / cassette).read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return [interaction for interaction in document["interactions"] if KEY_MANAGER in interaction["request"]["url"]]


def recording_date(interactions):
    date = interactions[0]["response"]["headers"]["Date"][0]
    return email.utils.parsedate_to_datetime(date).strftime("%Y-%m-%dT%H:%M:%SZ")


def json_strings(document):
    """Every string value inside a JSON document."""
    if isinstance(document, dict):
        return {text for value in document.values() for text in json_strings(value)}
    if isinstance(document, list):
        return {text for value in document for text in json_strings(value)}
    return {document} if isinstance(document, str) else set()


def user_supplied_values(interactions):
    """Strings a client sent before any response carried them (names, tags, plaintexts, explicit instants)."""
    sent, received = set(), set()
    for interaction in interactions:
        sent |= json_strings(Replay.body_of(interaction["request"])) - received
        received |= json_strings(Replay.body_of(interaction["response"]))
    return sent


class Replay:
    """Replays one cassette, keeping the map from recorded values to the emulator's."""

    def __init__(self, url, interactions):
        self.url = url
        self.token = str(uuid.uuid4())
        self.mapping = {}
        self.session = requests.Session()
        self.user_values = user_supplied_values(interactions)
        for interaction in interactions:
            body = self.body_of(interaction["request"])
            if isinstance(body, dict) and body.get("project_id"):
                self.mapping.setdefault(body["project_id"], str(uuid.uuid4()))

    @staticmethod
    def body_of(message):
        text = message.get("body") or ""
        return json.loads(text) if text else None

    def substitute(self, document):
        if isinstance(document, dict):
            return {name: self.substitute(value) for name, value in document.items()}
        if isinstance(document, list):
            return [self.substitute(value) for value in document]
        return self.mapping.get(document, document) if isinstance(document, str) else document

    def send(self, request):
        target = request["url"].split("api.scaleway.com", 1)[1]
        for recorded, actual in self.mapping.items():
            target = target.replace(recorded, actual)
        body = self.body_of(request)
        data = None if body is None else json.dumps(self.substitute(body))
        headers = {"X-Auth-Token": self.token, "Content-Type": "application/json"}
        return self.session.request(request["method"], self.url + target, data=data, headers=headers, timeout=60)

    def compare(self, recorded, actual, path="$"):
        """Mismatches between a recorded and an actual JSON document; learns new mappings."""
        if type(recorded) is not type(actual):  # pylint: disable=unidiomatic-typecheck  # bool vs int matters here
            return ["%s: %r recorded, %r served" % (path, recorded, actual)]
        if isinstance(recorded, dict):
            if set(recorded) != set(actual):
                return ["%s: fields %s recorded, %s served" % (path, sorted(recorded), sorted(actual))]
            return [problem for name in recorded for problem in self.compare(recorded[name], actual[name], "%s.%s" % (path, name))]
        if isinstance(recorded, list):
            if len(recorded) != len(actual):
                return ["%s: %d items recorded, %d served" % (path, len(recorded), len(actual))]
            return [problem for index, item in enumerate(recorded) for problem in self.compare(item, actual[index], "%s[%d]" % (path, index))]
        if isinstance(recorded, str):
            return self.compare_string(recorded, actual, path)
        return [] if recorded == actual else ["%s: %r recorded, %r served" % (path, recorded, actual)]

    def compare_string(self, recorded, actual, path):
        field = path.rsplit(".", 1)[-1]
        if recorded in self.mapping or recorded in self.user_values:
            expected = self.mapping.get(recorded, recorded)
            return [] if actual == expected else ["%s: expected %r (recorded %r), served %r" % (path, expected, recorded, actual)]
        if field in MAPPED_FIELDS:
            self.mapping[recorded] = actual
        if field in BASE64_FIELDS:
            return same_decoded_length(recorded, actual, path)
        if field in TIMESTAMP_FIELDS:
            return parses_as_timestamp(actual, path)
        if field in ("id", "key_id", "project_id"):
            return [] if uuid.UUID(actual) else [path]
        return [] if recorded == actual else ["%s: %r recorded, %r served" % (path, recorded, actual)]


def same_decoded_length(recorded, actual, path):
    recorded_length, actual_length = len(base64.b64decode(recorded)), len(base64.b64decode(actual))
    return [] if recorded_length == actual_length else ["%s: %d bytes recorded, %d served" % (path, recorded_length, actual_length)]


def parses_as_timestamp(value, path):
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return ["%s: %r is not a timestamp" % (path, value)]
    return [] if value.endswith("Z") else ["%s: %r is not UTC with Z" % (path, value)]


def test_every_recorded_file_is_replayed():
    assert CASSETTES, "no cassette found in %s" % RECORDED_DIR
    assert {path.name for path in COPIED_RECORDED.glob("*.cassette.yaml")} >= set(CASSETTES), "tests/recorded must hold a copy of every cassette"
    for cassette in CASSETTES:
        assert key_manager_interactions(cassette), "%s has no Key Manager exchange" % cassette


@pytest.mark.parametrize("cassette", CASSETTES)
def test_replay(km_emulator, cassette):
    interactions = key_manager_interactions(cassette)
    km_emulator.set_now(recording_date(interactions))
    replay = Replay(km_emulator.url, interactions)
    for interaction in interactions:
        request, recorded = interaction["request"], interaction["response"]
        response = replay.send(request)
        where = "%s interaction %d (%s %s)" % (cassette, interaction["id"], request["method"], request["url"])
        assert response.status_code == recorded["code"], "%s: %s" % (where, response.text)
        recorded_body = Replay.body_of(recorded)
        if recorded_body is None:
            assert response.content == b"", where
            continue
        assert response.headers["Content-Type"] == "application/json", where
        problems = replay.compare(recorded_body, response.json())
        assert not problems, "%s:\n%s" % (where, "\n".join(problems))
