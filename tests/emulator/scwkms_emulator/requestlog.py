"""The log of API requests served, read through ``GET /_emulator/requests``.

Entries hold no header and no body, so no secret (token, plaintext, key material) can leak
through it. The entry list is bounded (the oldest entries go first) so a long benchmark cannot
exhaust memory; ``counts`` keeps counting every request.
"""

import collections
import threading

DEFAULT_LIMIT = 100_000


class RequestLog:
    def __init__(self, limit=DEFAULT_LIMIT):
        self._lock = threading.Lock()
        self._entries = collections.deque(maxlen=limit)
        self._counts = collections.Counter()
        self._seq = 0

    def record(self, request, route, status, faults=()):
        """``route`` is the route name or None for an unknown path; ``faults`` names the injected faults, in order.

        ``fault`` joins them with ``+`` (one name in the usual case, None when none fired).
        """
        with self._lock:
            self._seq += 1
            self._entries.append({
                "seq": self._seq, "method": request.method, "path": request.path, "route": route, "query": request.query,
                "status": status, "fault": "+".join(faults) or None, "faults": list(faults),
            })
            if route is not None:
                self._counts[route] += 1

    def to_json(self):
        with self._lock:
            return {"requests": list(self._entries), "counts": dict(self._counts)}

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._counts.clear()
