"""Fault rules: the misbehaviours a test switches on, as ``POST /_emulator/faults`` takes them.

A configuration is ``{"seed": 1, "rules": [...]}``. Every rule has a ``type``, a ``route`` (a route
name such as ``GET /keys/{key_id}`` or a shell pattern such as ``POST *``; default ``*``), a
``rate`` (default 1) and a ``count`` (how many times it may fire; default unlimited). Types:

* answered instead of handling the request (nothing applied), the first firing one in rule order:
  ``error`` (``status`` default 503, ``retry_after``), ``burst`` (rate 1, ``status`` default 429),
  ``redirect`` (``location``, ``status`` default 307), ``malformed`` (200 with ``body``, any JSON
  value, or ``body_text``);
* ``latency`` (``ms``): waits first; every firing latency rule adds up;
* ``trickle`` (``byte_delay_ms``): the answer, whatever it is, is sent one byte at a time;
* after a successful handling (the write is committed): ``commit_then_error`` (``status`` default
  500) answers an error, ``drop_after_commit`` closes the connection without answering;
* ``iam_propagation`` (``seconds``): a token seen for the first time gets 403 on matching routes for
  ``seconds`` (rate and count are drawn once per new token);
* ``eventual_consistency`` (``seconds``): a key created by a matching ``POST /keys`` answers 404 on
  ``GET /keys/{key_id}`` and is missing from ``GET /keys`` for ``seconds`` (drawn once per key).

Both windows use real monotonic time, not the emulator clock: they model propagation delays, which
a moved clock does not shorten.
"""

import dataclasses
import fnmatch
from typing import Any, Optional

RULE_TYPES = (
    "error", "burst", "latency", "drop_after_commit", "eventual_consistency", "iam_propagation", "redirect", "malformed",
    "trickle", "commit_then_error",
)
ANSWERING = ("redirect", "malformed", "error", "burst")
AFTER_COMMIT = ("commit_then_error", "drop_after_commit")
_DEFAULT_STATUS = {"error": 503, "burst": 429, "redirect": 307, "commit_then_error": 500}
_REQUIRED = {"eventual_consistency": "seconds", "iam_propagation": "seconds", "redirect": "location", "trickle": "byte_delay_ms"}
_COMMON = ("type", "route", "rate", "count", "fired")
_FIELDS = {
    "error": ("status", "retry_after"), "burst": ("status", "retry_after"), "latency": ("ms",), "drop_after_commit": (),
    "eventual_consistency": ("seconds",), "iam_propagation": ("seconds",), "redirect": ("status", "location"),
    "malformed": ("body", "body_text"), "trickle": ("byte_delay_ms",), "commit_then_error": ("status", "retry_after"),
}


@dataclasses.dataclass
class FaultRule:  # pylint: disable=too-many-instance-attributes
    type: str
    route: str = "*"
    rate: float = 1.0
    status: Optional[int] = None
    retry_after: Optional[int] = None
    ms: int = 0
    seconds: float = 0.0
    location: Optional[str] = None
    body: Any = None
    body_text: Optional[str] = None
    byte_delay_ms: int = 0
    count: Optional[int] = None
    fired: int = 0

    def applies_to(self, route_name):
        """``route_name`` None: any route (a draw that is not about one request, e.g. a new token)."""
        return (self.count is None or self.fired < self.count) and (route_name is None or fnmatch.fnmatchcase(route_name, self.route))

    def to_json(self):
        return {name: getattr(self, name) for name in _COMMON + _FIELDS[self.type]}


def parse_rule(rule):
    """One rule mapping to a FaultRule, with the per-type defaults (ValueError if malformed)."""
    if not isinstance(rule, dict) or rule.get("type") not in RULE_TYPES:
        raise ValueError("each rule needs a type among %s" % ", ".join(RULE_TYPES))
    kind = rule["type"]
    unknown = set(rule) - {field.name for field in dataclasses.fields(FaultRule)}
    if unknown:
        raise ValueError("unknown rule fields: %s" % ", ".join(sorted(unknown)))
    if rule.get(_REQUIRED.get(kind, "type")) is None or (kind == "malformed" and "body" not in rule and rule.get("body_text") is None):
        raise ValueError("a %s rule needs %s" % (kind, _REQUIRED.get(kind, "body or body_text")))
    try:
        parsed = FaultRule(
            type=kind, route=str(rule.get("route", "*")), rate=1.0 if kind == "burst" else float(rule.get("rate", 1.0)),
            status=int(rule.get("status") or _DEFAULT_STATUS.get(kind, 0)) or None, retry_after=_optional(int, rule.get("retry_after")),
            ms=int(rule.get("ms", 0)), seconds=float(rule.get("seconds", 0)), location=_optional(_text, rule.get("location")),
            body=rule.get("body"), body_text=_optional(_text, rule.get("body_text")), byte_delay_ms=int(rule.get("byte_delay_ms", 0)),
            count=_optional(int, rule.get("count")),
        )
    except (TypeError, ValueError) as exc:
        raise ValueError("malformed rule %r: %s" % (rule, exc)) from exc
    if parsed.location is not None and ("\r" in parsed.location or "\n" in parsed.location):
        raise ValueError("location must be one line")
    low, high = (300, 399) if kind == "redirect" else (400, 599)
    if parsed.status is not None and not low <= parsed.status <= high:
        raise ValueError("the status of a %s rule must be between %d and %d" % (kind, low, high))
    return parsed


def _optional(convert, value):
    return None if value is None else convert(value)


def _text(value):
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value
