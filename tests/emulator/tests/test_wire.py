"""Pure wire encodings: base64, booleans, durations, timestamps."""

import pytest

from scwkms_emulator import errors, wire


@pytest.mark.parametrize("text", ["+/8=", "+/8", "-_8=", "-_8", " +/8= "])
def test_decode_bytes_is_lenient(text):
    assert wire.decode_bytes(text, "field") == b"\xfb\xff"


@pytest.mark.parametrize("text", ["***", 12, "a"])
def test_decode_bytes_rejects_garbage(text):
    with pytest.raises(errors.ApiError) as raised:
        wire.decode_bytes(text, "field")
    detail = raised.value.body["details"][0]
    assert (raised.value.status, detail["argument_name"], detail["reason"]) == (400, "field", "format")


def test_encode_bytes_is_standard_with_padding():
    assert wire.encode_bytes(b"\xfb\xff") == "+/8="


@pytest.mark.parametrize("text, nanos", [("2592000s", 2592000 * 10**9), ("2592000.000000000s", 2592000 * 10**9), ("1.5s", 1_500_000_000)])
def test_parse_duration(text, nanos):
    assert wire.parse_duration(text, "d") == nanos


@pytest.mark.parametrize("nanos, text", [(2592000 * 10**9, "2592000s"), (1_500_000_000, "1.500s"), (1_000_001, "0.001000001s")])
def test_format_duration(nanos, text):
    assert wire.format_duration(nanos) == text


@pytest.mark.parametrize("text", ["2027-01-01T00:00:00Z", "2027-01-01T01:00:00+01:00", "2027-01-01T00:00:00.000000000Z", "2026-12-31T23:00:00-01:00"])
def test_parse_timestamp_any_offset_and_fraction(text):
    assert wire.format_timestamp(wire.parse_timestamp(text, "t")) == "2027-01-01T00:00:00Z"


@pytest.mark.parametrize("nanos, precision, text", [
    (1_783_410_366_350_936_000, "micro", "2026-07-07T07:46:06.350936Z"),
    (1_783_410_366_350_936_999, "micro", "2026-07-07T07:46:06.350936Z"),
    (1_783_410_368_576_401_298, "nano", "2026-07-07T07:46:08.576401298Z"),
    (1_783_410_368_500_000_000, "micro", "2026-07-07T07:46:08.500Z"),
])
def test_format_timestamp_protojson_style(nanos, precision, text):
    assert wire.format_timestamp(nanos, precision) == text


@pytest.mark.parametrize("text", ["2027-01-01", "2027-01-01T00:00:00", "yesterday", None])
def test_parse_timestamp_rejects_non_rfc3339(text):
    with pytest.raises(errors.ApiError):
        wire.parse_timestamp(text, "t")
