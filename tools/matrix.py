"""`make test-matrix`: the unit tests and a subset of the integration targets under every supported
ansible-core other than .venv's (2.19), each in its own virtualenv under .build/venvs/.

Also the one place that builds such side virtualenvs (``cached_venv``), used by the AWX job test too.
A virtualenv is named by a digest of what it holds (Python version and requirement lines), so it is
built once and reused until its requirements change; a build that fails halfway is never reused.

The subset, and why: the unit tests that drive modules in process through AnsibleModule
(tests/unit/plugins/modules) and the lookup and plugin glue (tests/unit/plugins/lookup,
tests/unit/plugins/plugin_utils) are where ansible-core's own code is in the path; the other unit
tests exercise pure module_utils that do not depend on ansible-core's version. The integration
targets scwkms_key (module_defaults and the action group), role_keyring (omit, module_defaults and
templating in a role; the survey string) and lookup_scwkms_public_key (templated lookup options) are
the ones whose behaviour moved between ansible-core releases.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

from tools.paths import BUILD_ROOT, REPO_ROOT

VENVS = BUILD_ROOT / "venvs"
CORE_VERSIONS = ("2.16", "2.17", "2.18")
UNIT_PATHS = ("tests/unit/plugins/modules", "tests/unit/plugins/lookup", "tests/unit/plugins/plugin_utils",
              "tests/unit/awx/test_core_differences.py")
TARGETS = ("scwkms_key", "role_keyring", "lookup_scwkms_public_key")
STAMP_NAME = ".scwkms-requirements"


def requirement_lines(*requirements: str) -> list[str]:
    """Requirement strings, with ``-r FILE`` expanded (relative to the repository) so the digest sees the file."""
    lines: list[str] = []
    for requirement in requirements:
        if requirement.startswith("-r "):
            text = (REPO_ROOT / requirement[3:].strip()).read_text(encoding="utf-8")
            lines.extend(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
        else:
            lines.append(requirement)
    return lines


def cached_venv(label: str, *requirements: str, python: str = sys.executable) -> Path:
    """A virtualenv at .build/venvs/<label>-<digest> holding exactly ``requirements``; returns its bin directory."""
    lines = requirement_lines(*requirements)
    version = subprocess.run([python, "-c", "import sys; print(sys.version)"], check=True,
                             capture_output=True, text=True).stdout
    digest = hashlib.sha256("\n".join([version, *lines]).encode()).hexdigest()[:12]
    venv = VENVS / ("%s-%s" % (label, digest))
    stamp = venv / STAMP_NAME
    if stamp.is_file():
        return venv / "bin"
    print("venv: building %s (%s) ..." % (venv.relative_to(REPO_ROOT), ", ".join(lines)), flush=True)
    started = time.monotonic()
    subprocess.run([python, "-m", "venv", "--clear", str(venv)], check=True)
    # cwd: "-e tests/emulator" resolves against the repository root, as in tools/venv.py.
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *lines], check=True, cwd=REPO_ROOT)
    stamp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("venv: %s ready in %.0f s" % (venv.name, time.monotonic() - started), flush=True)
    return venv / "bin"
