"""Run the tools of .venv (ansible-test, ansible-playbook, ansible-lint, pytest) the same way everywhere."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from tools.paths import REPO_ROOT, VENV_BIN, VENV_PYTHON

# The Python the harness runs on is the one of .venv; ansible-test is told to use that version only.
PYTHON_VERSION = "%d.%d" % sys.version_info[:2]


def venv_tool(name: str) -> str:
    return str(VENV_BIN / name)


def tool_environment(**overrides: str) -> dict[str, str]:
    """The caller's environment with .venv/bin first on PATH, so that tools which start other tools
    (ansible-test starting ansible-playbook, pythonX.Y looked up by version) find the venv's."""
    environment = dict(os.environ)
    environment["PATH"] = os.pathsep.join([str(VENV_BIN), environment.get("PATH", "")])
    environment.update(overrides)
    return environment


def show_path(path: str | Path) -> str:
    """Paths below the repository are shown relative to it, to keep the echoed commands short."""
    try:
        return str(Path(path).relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def run(command: list[str], cwd: Path = REPO_ROOT, **environment: str) -> int:
    """Echo the command, run it with the tool environment plus ``environment``, return its exit code."""
    shown = " ".join(shlex.quote(show_path(part)) for part in command)
    print("$ (cd %s && %s)" % (show_path(cwd), shown), flush=True)
    return subprocess.run(command, cwd=cwd, env=tool_environment(**environment), check=False).returncode


def venv_python_module(module: str, *args: str) -> list[str]:
    return [str(VENV_PYTHON), "-m", module, *args]
