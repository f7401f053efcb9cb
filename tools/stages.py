"""The test stages of `make test`, one function each; every one returns an exit code (0 = passed)."""

from __future__ import annotations

import os
from pathlib import Path

from scwkms_emulator.testing import running_capture_server

from tools import docs as docs_site
from tools.collection_copy import build_collection_copy, collections_path
from tools.commands import PYTHON_VERSION, run, venv_python_module, venv_tool
from tools.connection_vars import connection_vars, write_vars_file
from tools.emulator import running_emulator
from tools.paths import REPO_ROOT
from tools.pip_bootstrap import ensure_pip_bootstrap_script

PYTEST_PATHS = ("tests/unit", "tests/emulator/tests")
PYTEST_IMPORT_PATHS = (
    collections_path(),  # the unit tests import ansible_collections.scwkms.key_manager.*, from the copy
    str(REPO_ROOT),  # tests/unit/test_harness.py imports tools.*
    # The emulator's tests import their helper module (emulator_helpers) as a top-level module, which
    # importlib mode, unlike the default mode, does not arrange by itself.
    str(REPO_ROOT / "tests" / "emulator" / "tests"),
)
LINTED_PATHS = ("roles", "playbooks")
INTEGRATION_CONFIG = Path("tests", "integration", "integration_config.yml")


def ansible_test(copy: Path, *args: str) -> int:
    # ANSIBLE_TEST_CONTENT_ROOT stops ansible-test from walking up from the copy: it would find the
    # repository's .git above .build/ and list the copy's files with git, which ignores .build/.
    return run([venv_tool("ansible-test"), *args], cwd=copy, ANSIBLE_TEST_CONTENT_ROOT=str(copy))


def sanity(*args: str) -> int:
    """ansible-test sanity, every test, in ansible-test's own virtualenvs (--venv)."""
    copy = build_collection_copy()
    ensure_pip_bootstrap_script()
    return ansible_test(copy, "sanity", "--venv", "--python", PYTHON_VERSION, *args)


def integration(*targets: str) -> int:
    """ansible-test integration on this machine against one emulator, started and stopped here."""
    copy = build_collection_copy()
    # The capture server is where redirect faults point: a target asserts it received nothing.
    with running_emulator() as emulator, running_capture_server() as capture:
        print("integration: emulator %s (pid %d), capture server %s" % (emulator.url, emulator.pid, capture.url), flush=True)
        write_vars_file(copy / INTEGRATION_CONFIG, connection_vars(emulator.url, capture_url=capture.url))
        # --continue-on-error: one failing target must not hide the results of the others.
        return ansible_test(copy, "integration", "--python", PYTHON_VERSION, "--continue-on-error", *targets)


def lint(*args: str) -> int:
    """ansible-lint, offline, on the roles and playbooks, finding the modules in the collection copy."""
    build_collection_copy()
    # Without the copy on ANSIBLE_COLLECTIONS_PATH, the syntax check cannot resolve scwkms.key_manager.*.
    return run([venv_tool("ansible-lint"), "--offline", *args, *LINTED_PATHS], ANSIBLE_COLLECTIONS_PATH=collections_path())


def pytest(*args: str) -> int:
    """pytest over the unit tests and the emulator's tests (or the paths and options given)."""
    build_collection_copy()
    names_tests = any((REPO_ROOT / arg.split("::")[0]).exists() for arg in args if not arg.startswith("-"))
    selected = list(args) if names_tests else [*args, *(path for path in PYTEST_PATHS if (REPO_ROOT / path).is_dir())]
    # --rootdir: without it pytest takes tests/emulator/pyproject.toml as the configuration of the whole
    # run and names every test relative to tests/emulator.
    # --import-mode=importlib: unit test files may share a name in different directories
    # (plugins/modules/test_x.py and plugins/lookup/test_x.py), as ansible-test allows; pytest's
    # default mode imports both as the top-level module test_x and refuses the second.
    command = venv_python_module("pytest", "--rootdir", str(REPO_ROOT), "--import-mode=importlib", *selected)
    return run(command, PYTHONPATH=os.pathsep.join(PYTEST_IMPORT_PATHS))


def docs() -> int:
    """The documentation: antsibull-docs' lint of the plugin docs and guides, then the offline Sphinx build
    with every warning an error (tools/docs.py). Both run, so one report shows both kinds of findings."""
    lint_exit, build_exit = docs_site.lint(), docs_site.build()
    return lint_exit or build_exit


# The oldest Python the modules support on a managed host, as README.md ("Requirements") states.
OLDEST_MANAGED_PYTHON = "3.9"
MANAGED_NODE_PATHS = ("plugins/modules", "plugins/module_utils")


def vermin(*args: str) -> int:
    """vermin: the modules and module_utils use nothing newer than OLDEST_MANAGED_PYTHON (exit 1 otherwise)."""
    return run([venv_tool("vermin"), "-t=%s-" % OLDEST_MANAGED_PYTHON, "--no-tips", "--violations", *args, *MANAGED_NODE_PATHS])
