"""A small pool of pre-generated RSA private keys, so creating RSA keys does not take seconds.

RSA 4096 generation takes 0.2 to 1.5 s. Once a modulus size has been asked for, the pool keeps
``size`` ready keys of that size, refilled by one background thread (OpenSSL releases the GIL,
so the server keeps answering). Sizes never asked for cost nothing, so a benchmark of symmetric
keys gets no background load. Every key is handed out once: each emulator key still gets its own
unique RSA key. With size 0 the pool is off and keys are generated inline.
"""

import collections
import threading

from cryptography.hazmat.primitives.asymmetric import rsa


def generate_rsa(bits):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


class RsaKeyPool:
    """``take(bits)`` returns a fresh RSA private key, from the pool when one is ready."""

    def __init__(self, size):
        self._size = size
        self._ready = {}
        self._wanted = threading.Condition()
        self._stopped = False
        self._worker = None

    def take(self, bits):
        if self._size <= 0:
            return generate_rsa(bits)
        with self._wanted:
            ready = self._ready.setdefault(bits, collections.deque())
            key = ready.popleft() if ready else None
            self._start_worker()
            self._wanted.notify()
        return key if key is not None else generate_rsa(bits)

    def stop(self):
        with self._wanted:
            self._stopped = True
            self._wanted.notify()

    def _start_worker(self):
        if self._worker is None:
            self._worker = threading.Thread(target=self._refill_forever, name="scwkms-emulator-rsa-pool", daemon=True)
            self._worker.start()

    def _refill_forever(self):
        while True:
            bits = self._next_missing_size()
            if bits is None:
                return
            key = generate_rsa(bits)
            with self._wanted:
                self._ready[bits].append(key)

    def _next_missing_size(self):
        """Blocks until a size in use lacks keys (or the pool stops, giving None)."""
        with self._wanted:
            while not self._stopped:
                for bits, ready in self._ready.items():
                    if len(ready) < self._size:
                        return bits
                self._wanted.wait()
        return None
