"""The endpoint table (reference section 3, rows 1-22) and path matching.

A route's name is the method and the templated path below the region prefix, e.g.
``GET /keys/{key_id}``: it is what the request log and the fault rules use.
"""

import dataclasses
from typing import Callable, Optional

from . import lifecycle, operations
from .constants import API_PREFIX

HANDLERS = {
    "POST /keys": lifecycle.create_key,
    "GET /keys": lifecycle.list_keys,
    "GET /algorithms": lifecycle.list_algorithms,
    "GET /keys/{key_id}": lifecycle.get_key,
    "PATCH /keys/{key_id}": lifecycle.update_key,
    "DELETE /keys/{key_id}": lifecycle.delete_key,
    "POST /keys/{key_id}/rotate": lifecycle.rotate_key,
    "POST /keys/{key_id}/protect": lifecycle.protect_key,
    "POST /keys/{key_id}/unprotect": lifecycle.unprotect_key,
    "POST /keys/{key_id}/enable": lifecycle.enable_key,
    "POST /keys/{key_id}/disable": lifecycle.disable_key,
    "POST /keys/{key_id}/restore": lifecycle.restore_key,
    "POST /keys/{key_id}/import-key-material": lifecycle.import_key_material,
    "POST /keys/{key_id}/delete-key-material": lifecycle.delete_key_material,
    "GET /keys/{key_id}/public-key": operations.get_public_key,
    "POST /keys/{key_id}/encrypt": operations.encrypt,
    "POST /keys/{key_id}/decrypt": operations.decrypt,
    "POST /keys/{key_id}/generate-data-key": operations.generate_data_key,
    "POST /keys/{key_id}/sign": operations.sign,
    "POST /keys/{key_id}/verify": operations.verify,
    "POST /keys/{key_id}/wrap": operations.wrap_key,
    "POST /keys/{key_id}/unwrap": operations.unwrap_key,
}


@dataclasses.dataclass(frozen=True)
class Route:
    name: str
    handler: Callable
    region: str
    key_id: Optional[str]


def match(method, path):
    """The Route of an API request path (without query string), or None if no endpoint matches."""
    if not path.startswith(API_PREFIX):
        return None
    region, _separator, below = path[len(API_PREFIX):].partition("/")
    segments = below.split("/")
    key_id = None
    if len(segments) in (2, 3) and segments[0] == "keys":
        key_id, segments[1] = segments[1], "{key_id}"
    name = "%s /%s" % (method, "/".join(segments))
    handler = HANDLERS.get(name)
    return Route(name, handler, region, key_id) if handler and region else None
