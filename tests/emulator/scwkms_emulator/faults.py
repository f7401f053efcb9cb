"""Fault injection: error responses at a rate, 429 bursts, added latency and drop_after_commit.

A configuration is ``{"seed": 1, "rules": [...]}``; each rule is a mapping:

* ``{"type": "error", "route": "POST /keys", "rate": 0.5, "status": 503, "retry_after": 2, "count": 10}``
  answers ``status`` instead of handling the request (nothing is applied);
* ``{"type": "burst", "count": 3, "status": 429}``: the next ``count`` matching requests fail
  (an error rule with rate 1; ``status`` defaults to 429);
* ``{"type": "latency", "ms": 200, "rate": 1}``: the request waits ``ms`` milliseconds first;
* ``{"type": "drop_after_commit", "route": "POST /keys", "rate": 1, "count": 1}``: the request is
  handled (a write is committed) and the connection is then closed without any response.

``route`` is a route name (``GET /keys/{key_id}``) or a shell pattern (``POST *``); it defaults to
``*``. ``rate`` defaults to 1 and ``count`` (how many times the rule may fire) to unlimited.
Random draws come from one generator seeded with ``seed``, so a sequential run is reproducible.
"""

import dataclasses
import fnmatch
import random
import threading
from typing import Optional

from . import errors

RULE_TYPES = ("error", "burst", "latency", "drop_after_commit")
_DEFAULT_STATUS = {"error": 503, "burst": 429}


@dataclasses.dataclass
class FaultRule:  # pylint: disable=too-many-instance-attributes
    type: str
    route: str = "*"
    rate: float = 1.0
    status: Optional[int] = None
    retry_after: Optional[int] = None
    ms: int = 0
    count: Optional[int] = None
    fired: int = 0

    def applies_to(self, route_name):
        return (self.count is None or self.fired < self.count) and fnmatch.fnmatchcase(route_name, self.route)

    def to_json(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Decision:
    """What the faults do to one request: a delay, an error answer instead of handling, or a dropped answer."""

    delay_seconds: float = 0.0
    error: Optional[FaultRule] = None
    drop: bool = False


NO_FAULT = Decision()


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._seed = 0
        self._rules = []
        self._random = random.Random(0)

    def configure(self, document):
        """Replace the configuration with ``{"seed": n, "rules": [...]}`` (ValueError if malformed)."""
        if not isinstance(document, dict) or not isinstance(document.get("rules", []), list):
            raise ValueError("expected {\"seed\": n, \"rules\": [...]}")
        rules = [parse_rule(rule) for rule in document.get("rules", [])]
        seed = int(document.get("seed") or 0)
        with self._lock:
            self._seed, self._rules, self._random = seed, rules, random.Random(seed)

    def clear(self):
        self.configure({})

    def to_json(self):
        with self._lock:
            return {"seed": self._seed, "rules": [rule.to_json() for rule in self._rules]}

    def decide(self, route_name):
        """Draw the faults for one request to ``route_name``."""
        if not self._rules:
            return NO_FAULT
        with self._lock:
            delay = sum(rule.ms for rule in self._firing(route_name, ("latency",))) / 1000.0
            error = next(iter(self._firing(route_name, ("error", "burst"))), None)
            drop = error is None and bool(self._firing(route_name, ("drop_after_commit",)))
        return Decision(delay, error, drop)

    def _firing(self, route_name, types):
        """The rules of ``types`` that fire for this request (each firing is counted)."""
        fired = []
        for rule in self._rules:
            if rule.type in types and rule.applies_to(route_name) and self._draw(rule.rate):
                rule.fired += 1
                fired.append(rule)
                if rule.type != "latency":
                    break
        return fired

    def _draw(self, rate):
        return rate >= 1 or self._random.random() < rate


def parse_rule(rule):
    """One rule mapping to a FaultRule, with the per-type defaults (ValueError if malformed)."""
    if not isinstance(rule, dict) or rule.get("type") not in RULE_TYPES:
        raise ValueError("each rule needs a type among %s" % ", ".join(RULE_TYPES))
    unknown = set(rule) - {field.name for field in dataclasses.fields(FaultRule)}
    if unknown:
        raise ValueError("unknown rule fields: %s" % ", ".join(sorted(unknown)))
    try:
        parsed = FaultRule(
            type=rule["type"], route=str(rule.get("route", "*")), rate=1.0 if rule["type"] == "burst" else float(rule.get("rate", 1.0)),
            status=int(rule.get("status") or _DEFAULT_STATUS.get(rule["type"], 0)) or None,
            retry_after=_optional_int(rule.get("retry_after")), ms=int(rule.get("ms", 0)), count=_optional_int(rule.get("count")),
        )
    except (TypeError, ValueError) as exc:
        raise ValueError("malformed rule %r: %s" % (rule, exc)) from exc
    if parsed.status is not None and not 400 <= parsed.status <= 599:
        raise ValueError("status must be a 4xx or 5xx code")
    return parsed


def _optional_int(value):
    return None if value is None else int(value)


def error_for(rule):
    """The ApiError an error rule answers: 429 as the gateway does (empty body), 403 as IAM, else a message."""
    headers = [("Retry-After", str(rule.retry_after))] if rule.retry_after is not None else []
    if rule.status == 429:
        return errors.rate_limited(headers)
    if rule.status == 403:
        return errors.ApiError(403, errors.permissions_denied("write").body, headers)
    return errors.ApiError(rule.status, {"message": "injected fault", "type": "unknown_error"}, headers)
