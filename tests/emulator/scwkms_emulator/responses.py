"""HTTP answers as the transport writes them, and the JSON and error bodies built into them."""

import dataclasses

from .wire import dumps

JSON_CONTENT_TYPE = ("Content-Type", "application/json")


@dataclasses.dataclass
class Response:
    """An HTTP answer; ``drop`` closes the connection without sending it (drop_after_commit) and
    ``byte_delay`` (seconds) sends it one byte at a time (trickle)."""

    status: int
    body: bytes = b""
    headers: tuple = ()
    drop: bool = False
    byte_delay: float = 0.0


def json_response(status, document):
    """A JSON answer; a None document is the empty body of a 204, still typed application/json."""
    return Response(status, b"" if document is None else dumps(document), (JSON_CONTENT_TYPE,))


def error_response(error):
    if error.body is None:
        return Response(error.status, b"", error.headers)
    return Response(error.status, dumps(error.body, sort_keys=True), (JSON_CONTENT_TYPE,) + error.headers)
