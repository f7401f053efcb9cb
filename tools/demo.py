"""`make demo`: run playbooks/demo.yml against a fresh emulator and summarize what it did."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from tools.collection_copy import build_collection_copy, collections_path
from tools.commands import run, venv_tool
from tools.connection_vars import connection_vars, write_vars_file
from tools.emulator import HarnessEmulator, running_emulator
from tools.summary import demo_summary

DEMO_PLAYBOOK = "playbooks/demo.yml"

# The demo runs on the implicit localhost (no inventory), whose Python is the one running
# ansible-playbook: .venv's, which has requests and cryptography. These silence the warnings about
# having no inventory, which are noise here.
PLAYBOOK_ENVIRONMENT = {
    "ANSIBLE_LOCALHOST_WARNING": "false",
    "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
    "ANSIBLE_NOCOWS": "true",
}


def read_request_log(emulator: HarnessEmulator) -> dict | None:
    try:
        return emulator.request_log()
    except (OSError, ValueError):  # URLError is an OSError; ValueError: not JSON
        return None


def run_playbook(emulator: HarnessEmulator) -> int:
    # The variables go through a private file, not the command line, where other users could read them.
    with tempfile.TemporaryDirectory(prefix="scwkms-demo-") as directory:
        variables = connection_vars(emulator.url)
        # Against the emulator only, the demo reads its request log to show what a section cost.
        variables["scwkms_demo_request_log"] = "%s/_emulator/requests" % emulator.url
        extra_vars = write_vars_file(Path(directory, "demo-vars.yml"), variables)
        return run(
            [venv_tool("ansible-playbook"), DEMO_PLAYBOOK, "--extra-vars", "@%s" % extra_vars],
            ANSIBLE_COLLECTIONS_PATH=collections_path(), **PLAYBOOK_ENVIRONMENT,
        )


def demo() -> int:
    build_collection_copy()
    started = time.monotonic()
    with running_emulator() as emulator:
        print("demo: Key Manager emulator at %s (pid %d)" % (emulator.url, emulator.pid), flush=True)
        exit_code = run_playbook(emulator)
        request_log = read_request_log(emulator)
    print(demo_summary(DEMO_PLAYBOOK, exit_code, time.monotonic() - started, emulator.url, request_log), flush=True)
    return exit_code
