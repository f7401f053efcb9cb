"""Fault rules: the misbehaviours a test switches on, and the random draws that make them fire.

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
a moved clock does not shorten. Random draws come from one generator seeded with ``seed``.
"""

import dataclasses
import fnmatch
import hashlib
import random
import threading
import time
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


@dataclasses.dataclass(frozen=True)
class Decision:
    """What the faults do to one request before it is handled: a delay, an answer instead of handling, a trickle."""

    delay_seconds: float = 0.0
    answer: Optional[FaultRule] = None
    byte_delay_seconds: float = 0.0
    fired: tuple = ()


NO_FAULT = Decision()


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self.configure({})

    def configure(self, document):
        """Replace the configuration with ``{"seed": n, "rules": [...]}`` (ValueError if malformed); forgets tokens and hidden keys."""
        if not isinstance(document, dict) or not isinstance(document.get("rules", []), list):
            raise ValueError("expected {\"seed\": n, \"rules\": [...]}")
        rules = [parse_rule(rule) for rule in document.get("rules", [])]
        seed = int(document.get("seed") or 0)
        with self._lock:
            self._seed, self._rules, self._random = seed, rules, random.Random(seed)
            self._hidden_until, self._tokens = {}, {}

    def clear(self):
        self.configure({})

    def to_json(self):
        with self._lock:
            return {"seed": self._seed, "rules": [rule.to_json() for rule in self._rules]}

    def before(self, route_name):
        """Draw the faults applied before handling one request to ``route_name``."""
        if not self._rules:
            return NO_FAULT
        with self._lock:
            latency = self._firing(route_name, ("latency",))
            answer = self._first(route_name, ANSWERING)
            trickle = self._first(route_name, ("trickle",))
        fired = ("latency",) * bool(latency) + tuple(rule.type for rule in (answer, trickle) if rule)
        return Decision(sum(rule.ms for rule in latency) / 1000.0, answer, trickle.byte_delay_ms / 1000.0 if trickle else 0.0, fired)

    def after_commit(self, route_name):
        """The commit_then_error or drop_after_commit rule that fires after a successful handling, or None."""
        if not self._rules:
            return None
        with self._lock:
            return self._first(route_name, AFTER_COMMIT)

    def key_created(self, key_id):
        """Draw whether a key just created is hidden for a while (eventual_consistency)."""
        if not self._rules:
            return
        with self._lock:
            rule = self._first("POST /keys", ("eventual_consistency",))
            if rule is not None:
                self._hidden_until[key_id] = time.monotonic() + rule.seconds

    def is_hidden(self, key_id):
        if not self._hidden_until:
            return False
        with self._lock:
            deadline = self._hidden_until.get(key_id)
            if deadline is not None and time.monotonic() >= deadline:
                del self._hidden_until[key_id]
                deadline = None
            return deadline is not None

    def iam_denied(self, route_name, token):
        """True while the permissions of ``token`` (a new token drew an iam_propagation rule) have not propagated.

        Only a digest of the token is kept: the emulator must hold no secret it does not need.
        """
        if not any(rule.type == "iam_propagation" for rule in self._rules):
            return False
        digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
        with self._lock:
            if digest not in self._tokens:
                rule = self._first(None, ("iam_propagation",))
                self._tokens[digest] = (time.monotonic() + rule.seconds, rule.route) if rule else None
            window = self._tokens[digest]
        return window is not None and time.monotonic() < window[0] and fnmatch.fnmatchcase(route_name, window[1])

    def _firing(self, route_name, types):
        """Every rule of ``types`` that fires for this request (each firing is counted)."""
        fired = []
        for rule in self._rules:
            if rule.type in types and rule.applies_to(route_name) and self._draw(rule.rate):
                rule.fired += 1
                fired.append(rule)
        return fired

    def _first(self, route_name, types):
        """The first rule of ``types``, in rule order, that fires (counted), or None."""
        for rule in self._rules:
            if rule.type in types and rule.applies_to(route_name) and self._draw(rule.rate):
                rule.fired += 1
                return rule
        return None

    def _draw(self, rate):
        return rate >= 1 or self._random.random() < rate


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
