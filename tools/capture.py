"""A capture server for the integration targets: the host a misbehaving API redirects to.

It must receive nothing: a client that followed the redirect would hand it the token and the request
body. Every request it gets is appended to a JSON-lines file (method, path, headers, body) that a target
reads with ``lookup('file', scwkms_capture_log)``, so the proof of a leak survives the request.
"""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator


class CaptureHandler(BaseHTTPRequestHandler):
    log_path: Path  # set on the subclass each server makes
    lock = threading.Lock()

    def _capture(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        entry = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()), "body": body}
        with self.lock, open(self.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")
        # An answer shaped like an empty key list: a client that followed the redirect and trusted it
        # would go on to create keys, which the target would also see.
        payload = b'{"keys": [], "total_count": 0}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _capture

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Silent: the JSON-lines file is the record."""


class CaptureServer:
    def __init__(self, server: ThreadingHTTPServer, log_path: Path):
        self.server, self.log_path = server, log_path

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return "http://%s:%d" % (host, port)

    def requests(self) -> list[dict]:
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text(encoding="utf-8").splitlines() if line]


@contextlib.contextmanager
def running_capture_server(log_path: Path) -> Iterator[CaptureServer]:
    """``with running_capture_server(path) as capture: capture.url``; the file starts empty and stays."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text("", encoding="utf-8")
    log_path.chmod(0o600)
    handler = type("BoundCaptureHandler", (CaptureHandler,), {"log_path": log_path})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="capture-server", daemon=True)
    thread.start()
    try:
        yield CaptureServer(server, log_path)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
