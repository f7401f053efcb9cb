"""`make test-matrix`: the unit tests and a subset of the integration targets under every supported
ansible-core other than .venv's (2.19), each in its own virtualenv under .build/venvs/.

Also the one place that builds such side virtualenvs (``cached_venv``), used by the AWX job test too.
A virtualenv is named by a digest of what it holds (Python version and requirement lines), so it is
built once and reused until its requirements change; a build that fails halfway is never reused.

The subset, and why (about 5 minutes for the three releases on 2 cores, venvs built): the unit tests
that drive modules in process through AnsibleModule (tests/unit/plugins/modules) and the lookup and
plugin glue (tests/unit/plugins/lookup, tests/unit/plugins/plugin_utils) are where ansible-core's own
code is in the path, less SLOW_UNIT_TESTS; the other unit tests exercise module_utils that do not
import ansible-core. tests/unit/awx/test_core_differences.py shows what did change. Integration:
role_keyring (omit and module_defaults in a role, the action group's module_defaults in a play,
argument specs, the survey text) and lookup_scwkms_public_key (templated lookup options, errors in
loops); the other targets, scwkms_key the longest (minutes), run under 2.19 only.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

from scwkms_emulator.testing import running_capture_server

from tools.collection_copy import build_collection_copy
from tools.commands import PYTHON_VERSION, run
from tools.connection_vars import connection_vars, write_vars_file
from tools.emulator import running_emulator
from tools.paths import BUILD_ROOT, REPO_ROOT
from tools.stages import INTEGRATION_CONFIG, PYTEST_IMPORT_PATHS

VENVS = BUILD_ROOT / "venvs"
CORE_VERSIONS = ("2.16", "2.17", "2.18")
UNIT_PATHS = ("tests/unit/plugins/modules", "tests/unit/plugins/lookup", "tests/unit/plugins/plugin_utils",
              "tests/unit/awx/test_core_differences.py")
TARGETS = ("role_keyring", "lookup_scwkms_public_key")
# Waiting out retries, races and consistency windows: minutes of sleeping that do not depend on
# ansible-core (they run under 2.19 in `make test`).
SLOW_UNIT_TESTS = ("test_faults_never_duplicate_a_key", "test_duplicate_live_keys_fail_that_key_only",
                   "test_a_lost_create_answer_does_not_import_into_a_racers_key_a_second_time",
                   "test_many_hosts_cost_one_request_per_key_and_the_next_run_asks_again")
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
    requirements_file = venv / "requirements.txt"
    requirements_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # cwd: "-e tests/emulator" resolves against the repository root, as in tools/venv.py.
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", str(requirements_file)],
                   check=True, cwd=REPO_ROOT)
    stamp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("venv: %s ready in %.0f s" % (venv.name, time.monotonic() - started), flush=True)
    return venv / "bin"


def core_venv(core: str) -> Path:
    """ansible-core ``core``.x with what the unit tests and the modules need."""
    major, minor = core.split(".")
    return cached_venv("core-%s" % core, "ansible-core>=%s,<%s.%d" % (core, major, int(minor) + 1),
                       "-r meta/ee-requirements.txt", "pyyaml", "pytest", "hypothesis", "-e tests/emulator")


def unit_tests(bin_dir: Path) -> int:
    command = [str(bin_dir / "python"), "-m", "pytest", "--rootdir", str(REPO_ROOT), "--import-mode=importlib",
               "-p", "no:cacheprovider", "-q", "-k", " and ".join("not " + name for name in SLOW_UNIT_TESTS),
               *UNIT_PATHS]
    return run(command, PYTHONPATH=os.pathsep.join(PYTEST_IMPORT_PATHS), PATH=search_path(bin_dir))


def search_path(bin_dir: Path) -> str:
    return os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])


def integration_tests(bin_dir: Path, copy: Path) -> int:
    # ansible-test finds python3.11 on PATH: the one of this virtualenv, with its ansible-core.
    command = [str(bin_dir / "ansible-test"), "integration", "--python", PYTHON_VERSION, "--continue-on-error", *TARGETS]
    return run(command, cwd=copy, ANSIBLE_TEST_CONTENT_ROOT=str(copy), PATH=search_path(bin_dir))


def matrix(*cores: str) -> int:
    """Every ansible-core of ``cores`` (default CORE_VERSIONS): its unit tests, then its integration targets."""
    copy = build_collection_copy()
    failed = []
    with running_emulator() as emulator, running_capture_server() as capture:
        write_vars_file(copy / INTEGRATION_CONFIG,
                        connection_vars(emulator.url, capture_url=capture.url))
        for core in cores or CORE_VERSIONS:
            started = time.monotonic()
            bin_dir = core_venv(core)
            emulator.reset()  # the targets expect the emulator they get in `make test`: a fresh one
            results = {"units": unit_tests(bin_dir), "integration": integration_tests(bin_dir, copy)}
            failed.extend("%s %s" % (core, part) for part, code in results.items() if code)
            outcome = "failed" if any(results.values()) else "passed"
            print("matrix: ansible-core %s %s in %.0f s" % (core, outcome, time.monotonic() - started), flush=True)
    print("matrix: %s" % ("failed: " + ", ".join(failed) if failed else "every ansible-core passed"), flush=True)
    return 1 if failed else 0
