"""X-Auth-Token authentication and project tenancy.

Single-user mode (no credentials file): any UUID-shaped secret key is accepted for any project.
With ``--credentials FILE`` (YAML or JSON mapping secret key -> list of project ids), a token sees
and touches only the keys of its projects; another project's key answers 404 like a missing one.
"""

import dataclasses
import json
from typing import FrozenSet, Optional

from . import errors
from .wire import is_uuid


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who is calling: ``projects`` is None when every project is allowed (single-user mode)."""

    projects: Optional[FrozenSet[str]]

    def can_use(self, project_id):
        return self.projects is None or project_id in self.projects


ANYONE = Principal(None)


class Authenticator:
    def __init__(self, credentials=None):
        self._credentials = credentials

    def authenticate(self, token):
        """The Principal of a token, or a 401 ApiError (never echoes the token)."""
        if not token or not is_uuid(token):
            raise errors.denied_authentication("invalid_argument")
        if self._credentials is None:
            return ANYONE
        projects = self._credentials.get(token.lower())
        if projects is None:
            raise errors.denied_authentication("not_found")
        return Principal(projects)


def load_credentials(path):
    """Read a credentials file (YAML or JSON): a mapping of secret key to a list of project ids."""
    with open(path, encoding="utf-8") as stream:
        return credentials_from_mapping(_parse_mapping(stream.read()), path)


def credentials_from_mapping(mapping, source="credentials"):
    """Validate ``{secret_key: [project_id, ...]}`` into the form Authenticator takes."""
    if not isinstance(mapping, dict):
        raise ValueError("%s: expected a mapping of secret key to project ids" % source)
    return {str(secret).lower(): frozenset(_project_list(source, projects)) for secret, projects in mapping.items()}


def _parse_mapping(text):
    try:
        return json.loads(text)
    except ValueError:
        import yaml  # pylint: disable=import-outside-toplevel  # optional dependency, only needed for YAML files
        return yaml.safe_load(text)


def _project_list(source, projects):
    if isinstance(projects, str):
        projects = [projects]
    if not isinstance(projects, list) or not all(is_uuid(project) for project in projects):
        raise ValueError("%s: each secret key needs a list of project UUIDs" % source)
    return projects
