"""Key metadata endpoints and the state machine of reference section 4.

Each handler takes ``(backend, call)`` and returns ``(status, document)``; ``document`` is None
for the 204 answers. Every refusal is an ApiError from ``errors``.
"""

import uuid

from . import crypto, errors, payloads
from .constants import (
    ALGORITHMS, MAX_KEY_MATERIAL, MIN_KEY_MATERIAL, ORIGIN_EXTERNAL, RECOMMENDED_ALGORITHMS, STATE_DISABLED, STATE_ENABLED, STATE_PENDING, STATE_SCHEDULED,
    SYMMETRIC, USAGES,
)
from .model import Key

_STATE_HELP = {
    STATE_DISABLED: "key is disabled",
    STATE_PENDING: "key has no key material",
    STATE_SCHEDULED: "key is scheduled for deletion",
}


def state_error(key):
    return errors.precondition(_STATE_HELP[key.state])


def refuse_scheduled(key):
    """[INF] A key scheduled for deletion can be read and restored, nothing else ("cannot edit, access, or delete it")."""
    if key.state == STATE_SCHEDULED:
        raise state_error(key)


def refuse_unless(key, *states):
    if key.state not in states:
        raise state_error(key)


def check_policy_allowed(key_usage, key_origin, policy):
    """[INF] Rotation policies only exist for keys the service can rotate: symmetric scaleway_kms keys."""
    if policy is not None and (key_usage != SYMMETRIC or key_origin == ORIGIN_EXTERNAL):
        raise errors.constraint("rotation_policy", "automatic rotation is only available for symmetric keys with origin scaleway_kms")


def create_key(backend, call):
    body, now = call.body, backend.clock.now()
    project = payloads.project_id(body.get("project_id"))
    if not call.principal.can_use(project):
        raise errors.permissions_denied("write")
    key_usage = payloads.usage(body.get("usage"))
    key_origin = payloads.origin(body.get("origin"), key_usage)
    policy = payloads.rotation_policy(body.get("rotation_policy"), now)
    check_policy_allowed(key_usage[0], key_origin, policy)
    key = Key(
        id=str(uuid.uuid4()), project_id=project, region=call.region,
        name=payloads.optional_string(body, "name") or "", usage=key_usage[0], algorithm=key_usage[1],
        origin=key_origin, state=STATE_PENDING if key_origin == ORIGIN_EXTERNAL else STATE_ENABLED,
        created_at=now, updated_at=now, protected=not payloads.optional_bool(body, "unprotected"),
        description=payloads.optional_string(body, "description"), tags=payloads.tags(body.get("tags")), rotation_policy=policy,
    )
    if key_origin != ORIGIN_EXTERNAL:
        _generate_first_version(backend, key)
    document = key.to_json()
    backend.store.insert(key)
    return 200, document


def _generate_first_version(backend, key):
    """Generate the key material; like the real service, updated_at and rotated_at are set after generation."""
    if key.is_symmetric:
        material = crypto.new_aes_key()
    else:
        material = crypto.generate_asymmetric(key.algorithm, backend.rsa_pool.take)
    key.updated_at = backend.clock.now()
    key.add_version(material, key.updated_at)


def get_key(backend, call):
    with backend.store.lock:
        return 200, backend.store.find(call.key_id, call.region, call.principal).to_json()


def update_key(backend, call):
    body = call.body
    name, description = payloads.optional_string(body, "name"), payloads.optional_string(body, "description")
    new_tags = None if body.get("tags") is None else payloads.tags(body["tags"])
    policy = payloads.rotation_policy(body.get("rotation_policy"), backend.clock.now())

    def update(key, _now):
        """[INF] Omitted or null fields keep their value; a rotation policy cannot be removed."""
        refuse_scheduled(key)
        check_policy_allowed(key.usage, key.origin, policy)
        key.name = key.name if name is None else name
        key.description = key.description if description is None else description
        key.tags = key.tags if new_tags is None else new_tags
        key.rotation_policy = policy or key.rotation_policy
    return 200, backend.store.edit(call, update)


def _schedule_deletion(key, now):
    if key.protected:
        raise errors.protected_key()
    refuse_scheduled(key)
    key.state_before_deletion, key.state = key.state, STATE_SCHEDULED
    key.deletion_requested_at = now


def delete_key(backend, call):
    """Schedules the deletion: 7 days later the key is purged (see KeyStore)."""
    backend.store.edit(call, _schedule_deletion)
    return 204, None


def _restore(key, _now):
    """[INF] Restore puts the key back in the state it had when its deletion was requested."""
    if key.state != STATE_SCHEDULED:
        raise errors.precondition("key is not scheduled for deletion")
    key.state, key.deletion_requested_at = key.state_before_deletion, None


def restore_key(backend, call):
    return 200, backend.store.edit(call, _restore)


def _rotate(key, now):
    """Manual rotation of a symmetric scaleway_kms key; next_rotation_at is left alone."""
    refuse_scheduled(key)
    if not key.is_symmetric:
        raise errors.precondition("asymmetric keys cannot be rotated")
    if key.origin == ORIGIN_EXTERNAL:
        raise errors.precondition("external keys are rotated by importing new key material")
    key.add_version(crypto.new_aes_key(), now)


def rotate_key(backend, call):
    return 200, backend.store.edit(call, _rotate)


def _protection_setter(protected):
    def set_protected(key, _now):
        refuse_scheduled(key)
        key.protected = protected
    return set_protected


def _state_setter(state):
    def set_state(key, _now):
        """[INF] Enable/disable of a key without material or scheduled for deletion answers 412."""
        refuse_unless(key, STATE_ENABLED, STATE_DISABLED)
        key.state = state
    return set_state


def protect_key(backend, call):
    return 200, backend.store.edit(call, _protection_setter(True))


def unprotect_key(backend, call):
    return 200, backend.store.edit(call, _protection_setter(False))


def enable_key(backend, call):
    return 200, backend.store.edit(call, _state_setter(STATE_ENABLED))


def disable_key(backend, call):
    return 200, backend.store.edit(call, _state_setter(STATE_DISABLED))


def import_key_material(backend, call):
    """BYOK: the first import enables the key; a later one on an enabled key is a new rotation."""
    material = payloads.required_bytes(call.body, "key_material", MAX_KEY_MATERIAL, MIN_KEY_MATERIAL)
    salt = payloads.optional_bytes(call.body, "salt")

    def add_imported_version(key, now):
        _require_external(key)
        refuse_unless(key, STATE_PENDING, STATE_ENABLED)
        key.add_version(crypto.derive_imported_key(material, salt), now)
        key.state = STATE_ENABLED
    return 200, backend.store.edit(call, add_imported_version)


def _remove_latest_version(key, _now):
    """Removes the latest rotation; removing the last one sends the key back to pending_key_material."""
    _require_external(key)
    refuse_unless(key, STATE_ENABLED, STATE_DISABLED)
    key.versions.pop()
    if not key.versions:
        key.state = STATE_PENDING


def delete_key_material(backend, call):
    backend.store.edit(call, _remove_latest_version)
    return 204, None


def _require_external(key):
    if key.origin != ORIGIN_EXTERNAL:
        raise errors.precondition("key material can only be imported into or deleted from keys with origin external")


def list_keys(backend, call):
    query = payloads.list_query(call.query)
    if query.project_id and not call.principal.can_use(query.project_id):
        raise errors.permissions_denied("read")
    with backend.store.lock:
        keys = [key for key in backend.store.visible(call.region, call.principal) if _matches(key, query)]
        keys.sort(key=_SORT_KEYS[query.order_by.rsplit("_", 1)[0]], reverse=query.order_by.endswith("_desc"))
        start = (query.page - 1) * query.page_size
        return 200, {"keys": [key.to_json() for key in keys[start:start + query.page_size]], "total_count": len(keys)}


_SORT_KEYS = {
    "name": lambda key: (key.name, key.created_at, key.id),
    "created_at": lambda key: (key.created_at, key.id),
    "updated_at": lambda key: (key.updated_at, key.id),
}


def _matches(key, query):
    """[INF] ``name`` is an exact match, ``tags`` must all be present, ``scheduled_for_deletion=true`` lists only scheduled keys."""
    return (
        (key.state == STATE_SCHEDULED) == query.scheduled_for_deletion
        and (query.project_id is None or key.project_id == query.project_id)
        and (query.name is None or key.name == query.name)
        and all(tag in key.tags for tag in query.tags)
        and (query.usage is None or key.usage == query.usage)
    )


def list_algorithms(_backend, call):
    wanted = {payloads.usage_filter(value, "usages") for value in call.query.get("usages", ())} - {None}
    algorithms = [
        {"usage": usage, "name": name, "recommended": name in RECOMMENDED_ALGORITHMS}
        for usage in USAGES if not wanted or usage in wanted
        for name in ALGORITHMS[usage]
    ]
    return 200, {"algorithms": algorithms}
