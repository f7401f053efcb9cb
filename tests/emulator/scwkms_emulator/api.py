"""The API front door: route, inject faults, authenticate, validate the path, call the handler, log."""

import dataclasses
import json
import time
import urllib.parse

from . import errors, faults, routing
from .constants import KEY_ID_HELP, REGIONS
from .context import Call
from .wire import dumps, is_uuid

JSON_CONTENT_TYPE = ("Content-Type", "application/json")
_BODILESS_METHODS = ("GET", "DELETE")


@dataclasses.dataclass
class Response:
    """An HTTP answer; ``drop`` closes the connection without sending it (drop_after_commit)."""

    status: int
    body: bytes = b""
    headers: tuple = ()
    drop: bool = False


def json_response(status, document):
    """A JSON answer; a None document is the empty body of a 204, still typed application/json."""
    return Response(status, b"" if document is None else dumps(document), (JSON_CONTENT_TYPE,))


def error_response(error):
    if error.body is None:
        return Response(error.status, b"", error.headers)
    return Response(error.status, dumps(error.body, sort_keys=True), (JSON_CONTENT_TYPE,) + error.headers)


def parse_body(method, body):
    """The JSON object of a request; GET and DELETE bodies (the Python SDK sends ``{}``) and empty bodies are ignored."""
    if method in _BODILESS_METHODS or not body.strip():
        return {}
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise errors.bad_format("body", "invalid JSON") from exc
    if not isinstance(document, dict):
        raise errors.bad_format("body", "must be a JSON object")
    return document


@dataclasses.dataclass(frozen=True)
class HttpRequest:
    """An API request as the transport hands it over; ``query`` maps each name to its list of values."""

    method: str
    path: str
    query: dict
    headers: object
    body: bytes


class Api:
    def __init__(self, backend, authenticator, fault_rules, log):
        self.backend = backend
        self.authenticator = authenticator
        self.faults = fault_rules
        self.log = log

    def handle(self, method, path, query_string, headers, body):
        request = HttpRequest(method, path, urllib.parse.parse_qs(query_string, keep_blank_values=True), headers, body)
        route = routing.match(method, path)
        if route is None:
            self.log.record(request, None, 404)
            return error_response(errors.route_not_found())
        response, fault = self._answer(route, request)
        self.log.record(request, route.name, response.status, fault)
        return response

    def _answer(self, route, request):
        """The response and the name of the fault injected into it, if any."""
        decision = self.faults.decide(route.name)
        if decision.delay_seconds:
            time.sleep(decision.delay_seconds)
        if decision.error is not None:
            return error_response(faults.error_for(decision.error)), decision.error.type
        response = self._serve(route, request)
        response.drop = decision.drop
        return response, "drop_after_commit" if decision.drop else None

    def _serve(self, route, request):
        try:
            return json_response(*route.handler(self.backend, self._call(route, request)))
        except errors.ApiError as error:
            return error_response(error)

    def _call(self, route, request):
        principal = self.authenticator.authenticate(request.headers.get("X-Auth-Token"))
        if route.region not in REGIONS:
            raise errors.constraint("region", "must be one of %s" % ", ".join(REGIONS))
        if route.key_id is not None and not is_uuid(route.key_id):
            raise errors.bad_format("key_id", KEY_ID_HELP)
        return Call(principal, route.region, route.key_id, parse_body(request.method, request.body), request.query)
