"""The Key resource: its stored state, its JSON form (reference section 2) and its timed transitions."""

import dataclasses
from typing import Optional

from . import crypto
from .constants import DELETION_WINDOW_SECONDS, ORIGIN_SCALEWAY, PROTECTION_LEVEL, STATE_SCHEDULED, SYMMETRIC
from .clock import NANOS_PER_SECOND
from .wire import format_duration, format_timestamp

DELETION_WINDOW = DELETION_WINDOW_SECONDS * NANOS_PER_SECOND


@dataclasses.dataclass
class RotationPolicy:
    period: int
    next_rotation_at: int

    def to_json(self):
        return {"rotation_period": format_duration(self.period), "next_rotation_at": format_timestamp(self.next_rotation_at)}


@dataclasses.dataclass
class Key:  # pylint: disable=too-many-instance-attributes
    """One Key Manager key. ``versions`` holds one AES key per rotation (symmetric) or the asymmetric key."""

    id: str
    project_id: str
    region: str
    name: str
    usage: str
    algorithm: str
    origin: str
    state: str
    created_at: int
    updated_at: int
    protected: bool
    description: Optional[str]
    tags: list
    rotation_policy: Optional[RotationPolicy] = None
    rotated_at: Optional[int] = None
    deletion_requested_at: Optional[int] = None
    state_before_deletion: Optional[str] = None
    locked: bool = False
    versions: list = dataclasses.field(default_factory=list)

    @property
    def rotation_count(self):
        return len(self.versions)

    @property
    def is_symmetric(self):
        return self.usage == SYMMETRIC

    @property
    def auto_rotates(self):
        return self.rotation_policy is not None and self.is_symmetric and self.origin == ORIGIN_SCALEWAY and self.state != STATE_SCHEDULED

    def add_version(self, material, at):
        self.versions.append(material)
        self.rotated_at = at

    def purge_due(self, now):
        return self.state == STATE_SCHEDULED and now >= self.deletion_requested_at + DELETION_WINDOW

    def apply_due_rotations(self, now):
        """Automatic rotation: one new version per elapsed period, dated at its scheduled instant."""
        if not self.auto_rotates:
            return
        policy = self.rotation_policy
        while policy.next_rotation_at <= now:
            self.add_version(crypto.new_aes_key(), policy.next_rotation_at)
            self.updated_at = max(self.updated_at, policy.next_rotation_at)
            policy.next_rotation_at += policy.period

    def to_json(self):
        """The Key as the real API sends it: proto field order, explicit nulls, ``tags`` never null."""
        return {
            "id": self.id,
            "project_id": self.project_id,
            "name": self.name,
            "usage": {self.usage: self.algorithm},
            "state": self.state,
            "rotation_count": self.rotation_count,
            "created_at": format_timestamp(self.created_at),
            "updated_at": format_timestamp(self.updated_at),
            "protected": self.protected,
            "locked": self.locked,
            "description": self.description,
            "tags": list(self.tags),
            "rotated_at": _optional_timestamp(self.rotated_at),
            "rotation_policy": self.rotation_policy.to_json() if self.rotation_policy else None,
            "origin": self.origin,
            "deletion_requested_at": _optional_timestamp(self.deletion_requested_at),
            "protection_level": PROTECTION_LEVEL,
            "region": self.region,
        }


def _optional_timestamp(nanos):
    return None if nanos is None else format_timestamp(nanos)
