"""The emulator's injectable clock: real time plus an offset that tests move forward."""

import datetime
import email.utils
import threading
import time

NANOS_PER_SECOND = 1_000_000_000


class Clock:
    """Wall clock with an adjustable offset; every timestamp of the emulator comes from here."""

    def __init__(self):
        self._offset = 0
        self._lock = threading.Lock()

    def now(self):
        """Current emulated time, in nanoseconds since the epoch."""
        return time.time_ns() + self._offset

    def http_date(self):
        """Now as an HTTP ``Date`` header value (RFC 7231 IMF-fixdate)."""
        moment = datetime.datetime.fromtimestamp(self.now() // NANOS_PER_SECOND, datetime.timezone.utc)
        return email.utils.format_datetime(moment, usegmt=True)

    def advance(self, seconds):
        with self._lock:
            self._offset += int(seconds * NANOS_PER_SECOND)

    def set_now(self, nanos):
        with self._lock:
            self._offset = nanos - time.time_ns()

    def reset(self):
        with self._lock:
            self._offset = 0
