"""A tiny HTTP server that records every request it receives: the redirect target of tests.

A test points a ``redirect`` fault at it and then checks that it received nothing (no token, no key
material). Every request, whatever its method and path, is recorded as ``{"method", "path",
"headers", "body"}`` (headers as a list of ``[name, value]`` pairs, the body as text) and answered
``200 {"captured": true}``; the paths under ``/_capture/`` are its own and are not recorded:

* ``GET /_capture/requests``: ``{"requests": [...]}``, oldest first;
* ``DELETE /_capture/requests``: forget them.

``python -m scwkms_emulator.capture [--host H] [--port N] [--record FILE]`` serves it until SIGTERM;
the first stdout line is its base URL; ``--record FILE`` also appends each request as a JSON line.
From Python: ``scwkms_emulator.testing.running_capture_server()``.
"""

import argparse
import contextlib
import http.server
import json
import signal
import sys
import threading

from .server import LocalHTTPServer, start_in_thread

CONTROL_PATH = "/_capture/requests"


class CaptureHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # pylint: disable=invalid-name
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        if self.path == CONTROL_PATH and self.command in ("GET", "DELETE"):
            if self.command == "DELETE":
                self.server.clear()
            self._answer({"requests": self.server.requests()})
            return
        headers = [list(item) for item in self.headers.items()]
        self.server.record({"method": self.command, "path": self.path, "headers": headers, "body": body.decode("utf-8", "replace")})
        self._answer({"captured": True})

    do_POST = do_PATCH = do_DELETE = do_PUT = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Silent: the requests are what the server is for, not its stderr."""

    def _answer(self, document):
        data = json.dumps(document).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class CaptureServer(LocalHTTPServer):
    def __init__(self, address, record_file=None):
        self._lock = threading.Lock()
        self._requests = []
        self.record_file = record_file
        super().__init__(address, CaptureHandler)

    def record(self, entry):
        with self._lock:
            self._requests.append(entry)
            if self.record_file:
                with open(self.record_file, "a", encoding="utf-8") as stream:
                    stream.write(json.dumps(entry) + "\n")

    def requests(self):
        """Every request received so far (copies), oldest first."""
        with self._lock:
            return [dict(entry) for entry in self._requests]

    def clear(self):
        with self._lock:
            self._requests.clear()


@contextlib.contextmanager
def running_capture_server(host="127.0.0.1", port=0, record_file=None):
    """Serve a CaptureServer in a thread for the duration of the block; yields it (``.url``, ``.requests()``, ``.clear()``)."""
    server = CaptureServer((host, port), record_file)
    start_in_thread(server)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m scwkms_emulator.capture", description="Record every HTTP request received (a redirect target for tests).")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    parser.add_argument("--record", metavar="FILE", help="also append each request to FILE as a JSON line")
    args = parser.parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with running_capture_server(args.host, args.port, args.record) as server:
        print(server.url, flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
