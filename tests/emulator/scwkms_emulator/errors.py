"""Scaleway error bodies (reference section 5), built in one place.

Bodies are serialised with sorted keys, like the recent recordings.
"""

from .constants import GENERIC_PRECONDITION, LOCKED_STATUS, RATE_LIMIT_HEADER


class ApiError(Exception):
    """An HTTP error answer: a status and a JSON body (``None`` for an empty body)."""

    def __init__(self, status, body, headers=()):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = tuple(headers)


def invalid_argument(argument_name, reason, help_message):
    """400 invalid_arguments with one detail; ``reason`` is unknown, required, format or constraint."""
    detail = {"argument_name": argument_name, "help_message": help_message, "reason": reason}
    return ApiError(400, {"details": [detail], "message": "invalid argument(s)", "type": "invalid_arguments"})


def required(argument_name):
    return invalid_argument(argument_name, "required", "field is required")


def bad_format(argument_name, help_message):
    return invalid_argument(argument_name, "format", help_message)


def constraint(argument_name, help_message):
    return invalid_argument(argument_name, "constraint", help_message)


def authentication_failed():
    """The recorded message authentication failure of Go's AES-GCM (reference A.1)."""
    return constraint("ciphertext", "cipher: message authentication failed")


def not_found(resource_id, resource="key"):
    return ApiError(404, {"message": "resource is not found", "resource": resource, "resource_id": resource_id, "type": "not_found"})


def route_not_found():
    return ApiError(404, {"message": "route not found", "type": "not_found"})


def precondition(help_message, precondition_name=GENERIC_PRECONDITION):
    body = {"help_message": help_message, "message": "precondition is not respected", "precondition": precondition_name, "type": "precondition_failed"}
    return ApiError(412, body)


def protected_key():
    return precondition("cannot delete a protected key", "protected_resource")


def locked(resource_id):
    return ApiError(LOCKED_STATUS, {"message": "resource is locked", "resource": "key", "resource_id": resource_id, "type": "locked"})


def denied_authentication(reason):
    """401; ``reason`` is invalid_argument (missing or malformed token) or not_found (unknown token)."""
    return ApiError(401, {"message": "authentication is denied", "method": "api_key", "reason": reason, "type": "denied_authentication"})


def permissions_denied(action):
    return ApiError(403, {"details": [{"action": action, "resource": "key"}], "message": "insufficient permissions", "type": "permissions_denied"})


def rate_limited(extra_headers=()):
    """The gateway's 429: an empty body (no Content-Type) and X-Envoy-Ratelimited."""
    return ApiError(429, None, (RATE_LIMIT_HEADER,) + tuple(extra_headers))
