"""Control endpoints under ``/_emulator/`` (docs/developing.md): never authenticated, logged or faulted."""

import json

from . import errors
from .responses import error_response, json_response
from .constants import CONTROL_PREFIX
from .wire import format_timestamp, is_uuid, parse_timestamp


def _health(_emulator, _body):
    return {"status": "ok"}


def _requests(emulator, _body):
    return emulator.log.to_json()


def _clear_requests(emulator, _body):
    emulator.log.clear()
    return emulator.log.to_json()


def _reset(emulator, _body):
    emulator.reset()
    return {"status": "ok"}


def _clock(emulator, _body):
    return {"now": format_timestamp(emulator.clock.now())}


def _move_clock(emulator, body):
    """``{"advance_seconds": N}`` or ``{"now": "<RFC 3339>"}``."""
    if "now" in body:
        emulator.clock.set_now(parse_timestamp(body["now"], "now"))
    elif isinstance(body.get("advance_seconds"), (int, float)):
        emulator.clock.advance(body["advance_seconds"])
    else:
        raise ValueError("expected {\"advance_seconds\": N} or {\"now\": \"<RFC 3339>\"}")
    return _clock(emulator, body)


def _faults(emulator, _body):
    return emulator.faults.to_json()


def _set_faults(emulator, body):
    emulator.faults.configure(body)
    return emulator.faults.to_json()


def _clear_faults(emulator, _body):
    emulator.faults.clear()
    return emulator.faults.to_json()


_ENDPOINTS = {
    ("GET", "health"): _health,
    ("GET", "requests"): _requests,
    ("DELETE", "requests"): _clear_requests,
    ("POST", "reset"): _reset,
    ("GET", "clock"): _clock,
    ("POST", "clock"): _move_clock,
    ("GET", "faults"): _faults,
    ("POST", "faults"): _set_faults,
    ("DELETE", "faults"): _clear_faults,
}


def set_locked(emulator, key_id, body):
    """``POST /_emulator/keys/{key_id}/locked`` with ``{"locked": bool}``: the only way to lock a key."""
    if not isinstance(body.get("locked"), bool):
        raise ValueError("expected {\"locked\": true|false}")
    with emulator.store.lock:
        key = emulator.store.find_any(key_id)
        key.locked = body["locked"]
        return key.to_json()


def handle(emulator, method, path, body):
    name = path[len(CONTROL_PREFIX):].strip("/")
    try:
        document = _parse(body)
        parts = name.split("/")
        if method == "POST" and len(parts) == 3 and parts[0] == "keys" and parts[2] == "locked" and is_uuid(parts[1]):
            return json_response(200, set_locked(emulator, parts[1], document))
        endpoint = _ENDPOINTS.get((method, name))
        if endpoint is None:
            return error_response(errors.route_not_found())
        return json_response(200, endpoint(emulator, document))
    except errors.ApiError as error:
        return error_response(error)
    except ValueError as exc:
        return json_response(400, {"message": str(exc), "type": "invalid_arguments"})


def _parse(body):
    document = json.loads(body) if body.strip() else {}
    if not isinstance(document, dict):
        raise ValueError("expected a JSON object")
    return document
