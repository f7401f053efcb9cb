"""The variables that point playbooks at an emulator: the demo's extra vars and integration_config.yml.

The names are the integration config of docs/developing.md. Credentials are random on every run: the
emulator accepts any UUID-shaped secret key, and random values keep a real key out of the harness.
"""

from __future__ import annotations

import json
import secrets
import string
import uuid
from pathlib import Path


def random_access_key() -> str:
    """SCW followed by 17 letters or digits, the shape the modules check."""
    alphabet = string.ascii_uppercase + string.digits
    return "SCW" + "".join(secrets.choice(alphabet) for _position in range(17))


def connection_vars(api_url: str, region: str = "fr-par", capture_url: str | None = None) -> dict[str, str]:
    """``capture_url``: the emulator's capture server (``scwkms_capture_url``), the target of redirect faults."""
    variables = {
        "scwkms_api_url": api_url,
        "scwkms_secret_key": str(uuid.uuid4()),
        "scwkms_access_key": random_access_key(),
        "scwkms_project_id": str(uuid.uuid4()),
        "scwkms_region": region,
    }
    if capture_url:
        variables["scwkms_capture_url"] = capture_url
    return variables


def write_vars_file(path: Path, variables: dict[str, str]) -> Path:
    """Write the variables as YAML (JSON is YAML, so no YAML library is needed) readable only by us."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(variables, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path
