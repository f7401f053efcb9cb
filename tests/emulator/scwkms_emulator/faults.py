"""The fault configuration of one emulator: its rules (fault_rules.py), the random draws that make
them fire, and what the propagation misbehaviours remember (new tokens, hidden keys).

Random draws come from one generator seeded with the configuration's ``seed``, so a sequential run
is reproducible. The eventual_consistency and iam_propagation windows use real monotonic time.
"""

import dataclasses
import fnmatch
import hashlib
import random
import threading
import time
from typing import Optional

from .fault_rules import AFTER_COMMIT, ANSWERING, FaultRule, parse_rule


@dataclasses.dataclass(frozen=True)
class Decision:
    """What the faults do to one request before it is handled: a delay, an answer instead of handling, a trickle.

    ``fired`` names the latency and answer rules that fired; a trickle is named last, once the answer is known.
    """

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
        fired = ("latency",) * bool(latency) + ((answer.type,) if answer else ())
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
