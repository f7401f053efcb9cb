"""Wire encodings of the API: base64 bytes, booleans, UUIDs, protobuf durations and timestamps."""

import base64
import binascii
import datetime
import json
import re

from . import errors

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DURATION = re.compile(r"^(\d+)(?:\.(\d{1,9}))?s$")
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$")
_TRUE = frozenset(("1", "t", "T", "true", "TRUE", "True"))
_FALSE = frozenset(("0", "f", "F", "false", "FALSE", "False"))
_NANOS_PER_SECOND = 1_000_000_000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def is_uuid(value):
    return isinstance(value, str) and _UUID.match(value) is not None


def dumps(document, sort_keys=False):
    return json.dumps(document, separators=(",", ":"), sort_keys=sort_keys).encode()


def encode_bytes(data):
    """Bytes to base64, always the standard alphabet with padding."""
    return base64.b64encode(data).decode("ascii")


def decode_bytes(value, argument_name):
    """Base64 text to bytes; standard or URL-safe alphabet, padding optional (as protojson)."""
    if not isinstance(value, str):
        raise errors.bad_format(argument_name, "must be a base64 string")
    text = value.strip().rstrip("=").replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise errors.bad_format(argument_name, "invalid base64") from exc


def parse_bool(value, argument_name):
    """A query boolean in any spelling Go's strconv.ParseBool accepts (Python sends ``True``)."""
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise errors.bad_format(argument_name, "must be a boolean")


def parse_duration(value, argument_name):
    """Protobuf JSON duration (``"2592000s"``, ``"2592000.000000000s"``) to nanoseconds."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise errors.bad_format(argument_name, "must be a duration in seconds such as \"2592000s\"")
    fraction = (match.group(2) or "").ljust(9, "0")
    return int(match.group(1)) * _NANOS_PER_SECOND + int(fraction or 0)


def format_duration(nanos):
    """Nanoseconds to a protobuf JSON duration, without a fraction when it is zero (as the server echoes)."""
    seconds, rest = divmod(nanos, _NANOS_PER_SECOND)
    return "%d%ss" % (seconds, _fraction(rest))


def parse_timestamp(value, argument_name):
    """RFC 3339 with any fraction length and any offset, to nanoseconds since the epoch."""
    match = _TIMESTAMP.match(value) if isinstance(value, str) else None
    if match is None:
        raise errors.bad_format(argument_name, "must be an RFC 3339 timestamp")
    day, clock, fraction, offset = match.groups()
    offset = "+00:00" if offset in ("Z", "z") else offset
    try:
        moment = datetime.datetime.fromisoformat("%sT%s%s" % (day, clock, offset))
    except ValueError as exc:
        raise errors.bad_format(argument_name, "must be an RFC 3339 timestamp") from exc
    seconds = (moment - _EPOCH) // datetime.timedelta(seconds=1)
    return seconds * _NANOS_PER_SECOND + int((fraction or "").ljust(9, "0"))


def format_timestamp(nanos, precision="micro"):
    """Nanoseconds since the epoch to RFC 3339 UTC with ``Z``, protojson style.

    Stored key timestamps keep microseconds (``precision="micro"``); data key ``created_at`` keeps
    nanoseconds. As protojson does, the fraction is printed with 0, 3, 6 or 9 digits.
    """
    seconds, rest = divmod(nanos, _NANOS_PER_SECOND)
    if precision == "micro":
        rest -= rest % 1000
    moment = _EPOCH + datetime.timedelta(seconds=seconds)
    return "%s%sZ" % (moment.strftime("%Y-%m-%dT%H:%M:%S"), _fraction(rest))


def _fraction(nanos):
    if nanos == 0:
        return ""
    if nanos % 1_000_000 == 0:
        return ".%03d" % (nanos // 1_000_000)
    if nanos % 1000 == 0:
        return ".%06d" % (nanos // 1000)
    return ".%09d" % nanos
