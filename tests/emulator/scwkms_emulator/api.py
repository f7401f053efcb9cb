"""The API front door: route, inject faults, authenticate, validate the path, call the handler, log."""

import dataclasses
import json
import time
import urllib.parse

from . import errors, misbehaviours, routing
from .constants import KEY_ID_HELP, REGIONS
from .context import Call
from .responses import error_response, json_response
from .wire import is_uuid

_BODILESS_METHODS = ("GET", "DELETE")


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
        response, fired = self._answer(route, request)
        self.log.record(request, route.name, response.status, fired)
        return response

    def _answer(self, route, request):
        """The response and the names of the faults injected into it (latency first, trickle last)."""
        decision = self.faults.before(route.name)
        fired = list(decision.fired)
        if decision.delay_seconds:
            time.sleep(decision.delay_seconds)
        if decision.answer is not None:
            response = misbehaviours.answer(decision.answer)
        else:
            response = self._serve(route, request, fired)
        if decision.byte_delay_seconds:
            response.byte_delay = decision.byte_delay_seconds
            fired.append("trickle")
        return response, fired

    def _serve(self, route, request, fired):
        try:
            call = self._call(route, request)
            misbehaviours.check_call(self.faults, route, call, request.headers.get("X-Auth-Token"), fired)
            status, document = route.handler(self.backend, call)
        except errors.ApiError as error:
            return error_response(error)
        document = misbehaviours.after_handling(self.faults, route, document, fired)
        return misbehaviours.after_commit(self.faults, route, json_response(status, document), fired)

    def _call(self, route, request):
        principal = self.authenticator.authenticate(request.headers.get("X-Auth-Token"))
        if route.region not in REGIONS:
            raise errors.constraint("region", "must be one of %s" % ", ".join(REGIONS))
        if route.key_id is not None and not is_uuid(route.key_id):
            raise errors.bad_format("key_id", KEY_ID_HELP)
        return Call(principal, route.region, route.key_id, parse_body(request.method, request.body), request.query)
