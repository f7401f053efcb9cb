"""Every answer carries an RFC 7231 Date header from the emulator's clock, which /_emulator/clock moves."""

import datetime
import email.utils

import requests

from scwkms_emulator.clock import Clock

DAY = 86400


def header_date(response):
    return email.utils.parsedate_to_datetime(response.headers["Date"])


def emulator_now(km_emulator):
    return datetime.datetime.fromisoformat(km_emulator.now().replace("Z", "+00:00"))


def test_date_is_an_imf_fixdate_in_gmt():
    clock = Clock()
    clock.set_now(1_700_000_000 * 10**9)
    assert clock.http_date() == "Tue, 14 Nov 2023 22:13:20 GMT"


def test_api_answers_and_errors_follow_the_emulator_clock(km, km_emulator):
    km_emulator.advance(31 * DAY)
    expected = emulator_now(km_emulator)
    answers = [
        km.call("POST", "/keys", {"project_id": km.project_id, "usage": {"symmetric_encryption": "aes_256_gcm"}}),
        km.call("GET", "/keys/00000000-0000-0000-0000-000000000000"), km.call("GET", "/keys", token=""),
        km.call("GET", "/no-such-route"), requests.get(km_emulator.url + "/_emulator/health", timeout=10),
    ]
    assert [response.status_code for response in answers] == [200, 404, 401, 404, 200]
    for response in answers:
        assert response.headers["Date"].endswith(" GMT")
        assert abs((header_date(response) - expected).total_seconds()) < 60


def test_set_clock_moves_the_date_of_injected_answers(km, km_emulator):
    km_emulator.set_now("2031-05-06T07:08:09Z")
    km_emulator.set_faults([{"type": "burst", "count": 1}])
    response = km.call("GET", "/keys", params={"project_id": km.project_id})
    assert response.status_code == 429
    assert header_date(response).date() == datetime.date(2031, 5, 6)
