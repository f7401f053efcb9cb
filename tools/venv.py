"""Build .venv from requirements-dev.txt, and rebuild it only when the requirements change.

Run with the machine's Python (``python3 -m tools.venv``): it uses the standard library only, since
nothing else is installed on a fresh machine.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time

from tools.paths import REPO_ROOT, VENV, VENV_PYTHON

REQUIREMENTS = REPO_ROOT / "requirements-dev.txt"
# The emulator is installed editable: its code changes need no reinstall, its dependencies do.
INPUTS = (REQUIREMENTS, REPO_ROOT / "tests" / "emulator" / "pyproject.toml")
STAMP = VENV / ".requirements-stamp"


def requirements_fingerprint() -> str:
    """A digest of everything that decides the venv's contents, the Python version included."""
    digest = hashlib.sha256(sys.version.encode())
    for path in INPUTS:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


def venv_is_current(fingerprint: str) -> bool:
    return VENV_PYTHON.exists() and STAMP.exists() and STAMP.read_text(encoding="utf-8").strip() == fingerprint


def create_venv() -> None:
    # --clear: a changed requirements file gets a clean venv, so a package dropped from the file cannot
    # linger and hide a missing requirement.
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)


def install_requirements() -> None:
    # cwd is the repository root because pip resolves "-e tests/emulator" against the working directory.
    command = [str(VENV_PYTHON), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)]
    subprocess.run(command, check=True, cwd=REPO_ROOT)


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit("tools.venv: ansible-core 2.19 needs Python 3.11 or newer; run make with PYTHON=python3.11")
    fingerprint = requirements_fingerprint()
    if venv_is_current(fingerprint):
        return
    print("tools.venv: building .venv from requirements-dev.txt (first run or requirements changed) ...", flush=True)
    started = time.monotonic()
    STAMP.unlink(missing_ok=True)  # a build that fails halfway must not look current next time
    create_venv()
    install_requirements()
    STAMP.write_text(fingerprint + "\n", encoding="utf-8")
    print("tools.venv: .venv ready in %.0f s" % (time.monotonic() - started), flush=True)


if __name__ == "__main__":
    ensure_venv()
