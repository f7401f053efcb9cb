"""HTTP/1.1 transport on the standard library's ThreadingHTTPServer, with keep-alive.

Each response is written with a single ``sendall`` (status line, headers and body together) and
Nagle's algorithm is off, so keep-alive clients never wait on delayed ACKs; a trickled response
(fault ``trickle``) is written one byte at a time instead. The ``Date`` header comes from the
emulator's clock, so moving ``/_emulator/clock`` moves the server's notion of now as a client sees it.
"""

import http.server
import socket
import sys
import threading
import time
import traceback
import uuid

from .responses import JSON_CONTENT_TYPE, Response
from .wire import dumps

SERVER_NAME = "scwkms-emulator"
_CHUNK_SIZE_LIMIT = 1 << 24


class RequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self):  # pylint: disable=invalid-name
        self._serve()

    do_POST = do_PATCH = do_DELETE = do_PUT = do_GET

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Silent unless --verbose: logging every request to stderr would slow the benchmark."""
        if self.server.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), format % args))

    def _serve(self):
        body = self._read_body()
        try:
            response = self.server.emulator.handle(self.command, self.path, self.headers, body)
        except Exception:  # pylint: disable=broad-except  # a bug must answer 500, not kill the connection thread
            traceback.print_exc(file=sys.stderr)
            response = Response(500, dumps({"message": "internal emulator error", "type": "internal_error"}), (JSON_CONTENT_TYPE,))
        if response.drop:
            self._drop_connection()
            return
        self._write(response)
        if self.server.verbose:
            self.log_request(response.status)

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self):
        chunks = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0 or size > _CHUNK_SIZE_LIMIT:
                break
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            continue
        return b"".join(chunks)

    def _write(self, response):
        reason = self.responses.get(response.status, ("Error",))[0]
        lines = [
            "HTTP/1.1 %d %s" % (response.status, reason),
            "Server: %s" % SERVER_NAME,
            "Date: %s" % self.server.emulator.clock.http_date(),
            "X-Request-Id: %s" % uuid.uuid4(),
            "Content-Length: %d" % len(response.body),
        ]
        lines.extend("%s: %s" % header for header in response.headers)
        if self.close_connection:
            lines.append("Connection: close")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body
        if response.byte_delay:
            self._trickle(data, response.byte_delay)
        else:
            self.wfile.write(data)

    def _trickle(self, data, byte_delay):
        if not send_slowly(self.wfile, data, byte_delay):
            self.close_connection = True

    def _drop_connection(self):
        """drop_after_commit: the request was handled; the client gets no answer, only a closed connection."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def send_slowly(stream, data, byte_delay):
    """Write data one byte, then a pause, and so on (the trickle misbehaviour). False when the client
    gave up and closed the connection, which ends it."""
    try:
        for index in range(len(data)):
            stream.write(data[index:index + 1])
            stream.flush()
            time.sleep(byte_delay)
    except OSError:
        return False
    return True


class LocalHTTPServer(http.server.ThreadingHTTPServer):
    """A threaded server for tests: daemon request threads, a reusable port, and its base URL."""

    daemon_threads = True
    allow_reuse_address = True

    @property
    def url(self):
        host, port = self.server_address[:2]
        return "http://%s:%d" % (host, port)


class EmulatorHTTPServer(LocalHTTPServer):
    request_queue_size = 128

    def __init__(self, address, emulator, verbose=False):
        self.emulator = emulator
        self.verbose = verbose
        super().__init__(address, RequestHandler)


SHUTDOWN_POLL_SECONDS = 0.05


def start_in_thread(server):
    """Serve in a daemon thread; stop with ``server.shutdown()`` (which returns within SHUTDOWN_POLL_SECONDS)."""
    thread = threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), name="scwkms-emulator-http", daemon=True)
    thread.start()
    return thread
