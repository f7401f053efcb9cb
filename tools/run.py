"""Entry point of the Makefile: ``.venv/bin/python -m tools.run <command> [arguments]``.

Commands: test, sanity, units, integration [TARGET...], lint, vermin, matrix [2.16 ...], ee, demo, bench,
docs, changelog.
Arguments after the command go to the underlying tool (ansible-test, pytest, ansible-lint, vermin,
tools/bench.py) or to tools/matrix.py (ansible-core versions) and tools/ee.py (its options).
"""

from __future__ import annotations

import signal
import sys
import time
import traceback
from typing import Callable

from tools import docs, ee, matrix, stages
from tools.commands import run
from tools.demo import demo
from tools.paths import REPO_ROOT, VENV_PYTHON
from tools.summary import StageResult, stages_report

# `make test`: pytest comes last so that its closing summary line is the last line printed.
TEST_STAGES: tuple[tuple[str, Callable[[], int]], ...] = (
    ("sanity", stages.sanity),
    ("integration", stages.integration),
    ("lint", stages.lint),
    ("docs", stages.docs),
    ("vermin", stages.vermin),
    ("matrix", matrix.matrix),
)


def timed(name: str, stage: Callable[[], int]) -> StageResult:
    """Run one stage; an exception fails that stage only, so the other stages still report."""
    print("\n== %s ==" % name, flush=True)
    started = time.monotonic()
    try:
        exit_code = stage()
    except Exception:  # pylint: disable=broad-exception-caught
        traceback.print_exc()
        exit_code = 1
    return StageResult(name, exit_code, time.monotonic() - started)


def test() -> int:
    results = [timed(name, stage) for name, stage in TEST_STAGES]
    print(stages_report(results, pending="pytest (tests/unit, tests/emulator/tests)"), flush=True)
    pytest_result = timed("pytest", stages.pytest)
    return 0 if pytest_result.passed and all(result.passed for result in results) else 1


def bench(*args: str) -> int:
    script = REPO_ROOT / "tools" / "bench.py"
    # Run as a script, with the repository root on PYTHONPATH so that it can import tools.emulator.
    return run([str(VENV_PYTHON), str(script), *args], PYTHONPATH=str(REPO_ROOT))


COMMANDS: dict[str, Callable[..., int]] = {
    "test": test,
    "sanity": stages.sanity,
    "units": stages.pytest,
    "integration": stages.integration,
    "lint": stages.lint,
    "vermin": stages.vermin,
    "matrix": matrix.matrix,
    "ee": ee.main,
    "demo": demo,
    "bench": bench,
    "docs": docs.build,
    "changelog": docs.changelog,
}


def stop_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so that `finally` blocks run and the emulator gets stopped."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print("usage: python -m tools.run {%s} [arguments]" % ",".join(COMMANDS), file=sys.stderr)
        return 2
    stop_on_sigterm()
    command, arguments = COMMANDS[argv[0]], argv[1:]
    if command is test or command is demo:
        if arguments:
            print("%s takes no arguments" % argv[0], file=sys.stderr)
            return 2
        return command()
    return command(*arguments)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
