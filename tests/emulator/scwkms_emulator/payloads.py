"""Validation of request bodies and query strings into plain values; every failure is a 400."""

import dataclasses
from typing import Optional, Tuple

from . import errors
from .clock import NANOS_PER_SECOND
from .constants import (
    ALGORITHMS, DEFAULT_ORDER_BY, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_ROTATION_PERIOD, MIN_ROTATION_PERIOD,
    ORDER_BY_VALUES, ORIGIN_EXTERNAL, ORIGIN_SCALEWAY, SYMMETRIC, USAGES,
)
from .model import RotationPolicy
from .wire import decode_bytes, is_uuid, parse_bool, parse_duration, parse_timestamp

_UNSET_ORIGINS = (None, "", "unknown_origin", ORIGIN_SCALEWAY)


def optional_string(body, name):
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise errors.bad_format(name, "must be a string")
    return value


def optional_bool(body, name):
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise errors.bad_format(name, "must be a boolean")
    return bool(value)


def optional_bytes(body, name):
    """A base64 field where missing, null and "" all mean empty bytes (associated_data, salt)."""
    value = body.get(name)
    return b"" if value in (None, "") else decode_bytes(value, name)


def required_bytes(body, name, max_length, min_length=1):
    value = body.get(name)
    if value in (None, ""):
        raise errors.required(name)
    data = decode_bytes(value, name)
    if not min_length <= len(data) <= max_length:
        raise errors.constraint(name, "must be between %d and %d bytes" % (min_length, max_length))
    return data


def project_id(value, name="project_id"):
    if value in (None, ""):
        raise errors.required(name)
    if not is_uuid(value):
        raise errors.bad_format(name, "must be a valid UUID")
    return value


def tags(value):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise errors.bad_format("tags", "must be a list of strings")
    return list(value)


def usage(value):
    """The one-of ``usage`` object to ``(usage, algorithm)``; ``unknown_*`` algorithms are rejected."""
    if value is None:
        raise errors.required("usage")
    if not isinstance(value, dict) or not set(value) <= set(USAGES):
        raise errors.constraint("usage", "must be one of %s" % ", ".join(USAGES))
    members = [(name, algorithm) for name, algorithm in value.items() if algorithm is not None]
    if len(members) != 1:
        raise errors.constraint("usage", "exactly one usage must be set")
    name, algorithm = members[0]
    if algorithm not in ALGORITHMS[name]:
        raise errors.constraint("usage.%s" % name, "unknown algorithm %r" % (algorithm,))
    return name, algorithm


def origin(value, key_usage):
    if value in _UNSET_ORIGINS:
        return ORIGIN_SCALEWAY
    if value != ORIGIN_EXTERNAL:
        raise errors.constraint("origin", "must be scaleway_kms or external")
    if key_usage != (SYMMETRIC, "aes_256_gcm"):
        raise errors.constraint("origin", "only aes_256_gcm keys can have external key material")
    return ORIGIN_EXTERNAL


def rotation_policy(value, now):
    """A rotation policy; an omitted or null ``next_rotation_at`` means now + period."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise errors.bad_format("rotation_policy", "must be an object")
    if value.get("rotation_period") is None:
        raise errors.required("rotation_policy.rotation_period")
    period = parse_duration(value["rotation_period"], "rotation_policy.rotation_period")
    if not MIN_ROTATION_PERIOD * NANOS_PER_SECOND <= period <= MAX_ROTATION_PERIOD * NANOS_PER_SECOND:
        raise errors.constraint("rotation_policy.rotation_period", "must be between 24 hours and 876000 hours")
    return RotationPolicy(period, _next_rotation_at(value.get("next_rotation_at"), now, period))


def _next_rotation_at(value, now, period):
    if value is None:
        return now + period
    moment = parse_timestamp(value, "rotation_policy.next_rotation_at")
    if moment < now:
        raise errors.constraint("rotation_policy.next_rotation_at", "must be in the future")
    return moment


@dataclasses.dataclass(frozen=True)
class ListQuery:  # pylint: disable=too-many-instance-attributes
    project_id: Optional[str]
    organization_id: Optional[str]
    name: Optional[str]
    tags: Tuple[str, ...]
    usage: Optional[str]
    scheduled_for_deletion: bool
    order_by: str
    page: int
    page_size: int


def list_query(query):
    """The ListKeys query string; ``query`` maps each name to the list of its values."""
    def first(name):
        values = query.get(name)
        return values[0] if values else None
    project, organization = first("project_id") or None, first("organization_id") or None
    if project is None and organization is None:
        raise errors.required("project_id")
    return ListQuery(
        project_id=project and project_id(project),
        organization_id=organization and project_id(organization, "organization_id"),
        name=first("name") or None,
        tags=tuple(query.get("tags", ())),
        usage=usage_filter(first("usage"), "usage"),
        scheduled_for_deletion=parse_bool(first("scheduled_for_deletion") or "false", "scheduled_for_deletion"),
        order_by=_order_by(first("order_by")),
        page=_bounded_int(first("page"), "page", 1, 1, None),
        page_size=_bounded_int(first("page_size"), "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )


def usage_filter(value, argument_name):
    """A usage filter value; ``unknown_usage`` or empty means no filter (None)."""
    if value in (None, "", "unknown_usage"):
        return None
    if value not in USAGES:
        raise errors.constraint(argument_name, "must be one of %s" % ", ".join(USAGES))
    return value


def _order_by(value):
    if value in (None, ""):
        return DEFAULT_ORDER_BY
    if value not in ORDER_BY_VALUES:
        raise errors.constraint("order_by", "must be one of %s" % ", ".join(ORDER_BY_VALUES))
    return value


def _bounded_int(value, name, default, low, high):
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise errors.bad_format(name, "must be an integer") from exc
    if number < low or (high is not None and number > high):
        raise errors.constraint(name, "must be between %d and %s" % (low, high if high is not None else "infinity"))
    return number
