"""Where the harness keeps things. Standard library only: tools.venv imports it before .venv exists."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

VENV = REPO_ROOT / ".venv"
VENV_BIN = VENV / "bin"
VENV_PYTHON = VENV_BIN / "python"

# ansible-test only runs in a directory named ansible_collections/<namespace>/<name>, so the harness
# keeps a copy of the tree there. BUILD_ROOT is what PYTHONPATH and ANSIBLE_COLLECTIONS_PATH point at.
BUILD_ROOT = REPO_ROOT / ".build"
COLLECTION_NAMESPACE = "scwkms"
COLLECTION_NAME = "key_manager"
COLLECTION_COPY = BUILD_ROOT / "ansible_collections" / COLLECTION_NAMESPACE / COLLECTION_NAME
