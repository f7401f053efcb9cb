"""One emulator instance: its clock, keys, faults, request log and front doors (API and control)."""

from . import control
from .api import Api
from .auth import Authenticator
from .clock import Clock
from .constants import CONTROL_PREFIX
from .context import Backend
from .faults import Faults
from .keypool import RsaKeyPool
from .requestlog import DEFAULT_LIMIT, RequestLog
from .store import KeyStore

DEFAULT_RSA_POOL_SIZE = 2


class Emulator:
    """Transport-independent: ``handle()`` takes a parsed HTTP request and returns an ``api.Response``.

    ``credentials`` maps secret keys to project id sets (None: single-user mode); ``faults`` is an
    initial fault configuration (see ``faults.py``); ``rsa_pool_size`` pre-generated RSA keys are
    kept per modulus size (0 disables the pool).
    """

    def __init__(self, credentials=None, faults=None, rsa_pool_size=DEFAULT_RSA_POOL_SIZE, request_log_limit=DEFAULT_LIMIT):
        self.clock = Clock()
        self.store = KeyStore(self.clock)
        self.rsa_pool = RsaKeyPool(rsa_pool_size)
        self.faults = Faults()
        if faults:
            self.faults.configure(faults)
        self.log = RequestLog(request_log_limit)
        self.api = Api(Backend(self.clock, self.store, self.rsa_pool), Authenticator(credentials), self.faults, self.log)

    def handle(self, method, target, headers, body):
        """``target`` is the request target (path and query string); ``headers`` needs a case-insensitive ``get``."""
        path, _separator, query_string = target.partition("?")
        if path.startswith(CONTROL_PREFIX):
            return control.handle(self, method, path, body)
        return self.api.handle(method, path, query_string, headers, body)

    def reset(self):
        """Drop every key, the request log, the faults and the clock offset."""
        self.store.clear()
        self.log.clear()
        self.faults.clear()
        self.clock.reset()

    def close(self):
        self.rsa_pool.stop()
