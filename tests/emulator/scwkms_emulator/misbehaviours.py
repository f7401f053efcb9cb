"""How the fault rules (faults.py) change one API request: the answers they substitute, the 403 of a
token whose permissions have not propagated, the keys hidden by eventual consistency, and the
error or dropped connection after a committed write.

Each function appends the name of every fault that fired to ``fired``, the list the request log keeps.
"""

from . import errors
from .responses import JSON_CONTENT_TYPE, Response, error_response
from .wire import dumps

GET_KEY = "GET /keys/{key_id}"
LIST_KEYS = "GET /keys"
CREATE_KEY = "POST /keys"


def answer(rule):
    """The answer of a rule that replaces handling (redirect, malformed, error, burst)."""
    if rule.type == "redirect":
        return Response(rule.status, b"", (("Location", rule.location),))
    if rule.type == "malformed":
        body = dumps(rule.body) if rule.body_text is None else rule.body_text.encode("utf-8")
        return Response(200, body, (JSON_CONTENT_TYPE,))
    return error_response(error_for(rule))


def error_for(rule):
    """The ApiError an error rule answers: 429 as the gateway does (empty body), 403 as IAM, else a message."""
    headers = [("Retry-After", str(rule.retry_after))] if rule.retry_after is not None else []
    if rule.status == 429:
        return errors.rate_limited(headers)
    if rule.status == 403:
        return errors.ApiError(403, errors.permissions_denied("write").body, headers)
    return errors.ApiError(rule.status, {"message": "injected fault", "type": "unknown_error"}, headers)


def check_call(faults, route, call, token, fired):
    """Raise the 403 of iam_propagation or the 404 of a key not visible yet, once the token has authenticated."""
    if faults.iam_denied(route.name, token):
        fired.append("iam_propagation")
        raise errors.permissions_denied("read" if route.name.startswith("GET ") else "write")
    if route.name == GET_KEY and faults.is_hidden(call.key_id):
        fired.append("eventual_consistency")
        raise errors.not_found(call.key_id)


def after_handling(faults, route, document, fired):
    """Note a created key (it may stay hidden a while) and drop the hidden keys from a list."""
    if route.name == CREATE_KEY:
        faults.key_created(document["id"])
    elif route.name == LIST_KEYS:
        shown = [key for key in document["keys"] if not faults.is_hidden(key["id"])]
        if len(shown) < len(document["keys"]):
            fired.append("eventual_consistency")
            document = {"keys": shown, "total_count": document["total_count"] - (len(document["keys"]) - len(shown))}
    return document


def after_commit(faults, route, response, fired):
    """commit_then_error answers an error for the write just applied; drop_after_commit answers nothing."""
    rule = faults.after_commit(route.name)
    if rule is None:
        return response
    fired.append(rule.type)
    if rule.type == "drop_after_commit":
        response.drop = True
        return response
    return error_response(error_for(rule))
