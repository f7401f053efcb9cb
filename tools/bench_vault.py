"""`make bench`, the vault password client (scripts/scwkms-vault-client.py): one /decrypt request per label per
command, and the client's own start-up time beside ansible-vault's (one run each).

Called by tools/bench.py (scenario_vault, check, render_lines); alone: `python -m tools.bench_vault` starts its
own emulator and prints its section.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import time
from pathlib import Path

from tools.paths import REPO_ROOT

CLIENT = str(REPO_ROOT / "scripts" / "scwkms-vault-client.py")
DECRYPT = "POST /keys/{key_id}/decrypt"
TARGET = "vault client: one decrypt request per label per command"
PLAY = ("- hosts: localhost\n  connection: local\n  gather_facts: false\n  vars_files: [vault-secret.yml]\n"
        "  tasks:\n    - ansible.builtin.assert:\n        that: bench_secret == 'bench-value'\n")


def _vault_id(label):
    return "%s@%s" % (label, CLIENT)


# Steps that change nothing are timed 3 times and the fastest is kept: on a shared machine one sample says
# more about the neighbours than about the command. The others change the file, so they run once.
REPEATABLE = ("show", "get", "version", "view")
# (sample name, what it shows, command, labels it reads)
STEPS = (
    ("show", "client `show`: start-up alone, no request", [CLIENT, "show", "prod"], ()),
    ("get", "client `--vault-id prod`: start-up and one request", [CLIENT, "--vault-id", "prod"], ("prod",)),
    ("version", "`ansible-vault --version`: ansible-vault's start-up", ["ansible-vault", "--version"], ()),
    ("encrypt", "`ansible-vault encrypt --vault-id prod@client`",
     ["ansible-vault", "encrypt", "--vault-id", _vault_id("prod"), "vault-secret.yml"], ("prod",)),
    ("view", "`ansible-vault view --vault-id prod@client`",
     ["ansible-vault", "view", "--vault-id", _vault_id("prod"), "vault-secret.yml"], ("prod",)),
    ("playbook", "`ansible-playbook --vault-id prod@client` (a play reading the file)",
     ["ansible-playbook", "--vault-id", _vault_id("prod"), "vault-play.yml"], ("prod",)),
    ("rekey", "`ansible-vault rekey --vault-id prod@client --new-vault-id next@client`",
     ["ansible-vault", "rekey", "--vault-id", _vault_id("prod"), "--new-vault-id", _vault_id("next"),
      "vault-secret.yml"], ("prod", "next")),
)


def scenario_vault(bench):
    """Two labels under two keys, then each step once, with its wall time and /decrypt requests per key."""
    bin_dir = str(Path(sys.executable).parent)  # the client's `python` and the ansible commands
    env = dict(bench.environment, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""),
               SCWKMS_VAULT_DIR=str(bench.work / "vault-ids"))
    keys = {"prod": bench.create_key("bench-vault-prod")["id"], "next": bench.create_key("bench-vault-next")["id"]}
    for label, key in keys.items():
        _run(bench, [CLIENT, "create", label, "--key", key, "--force"], env)
    bench.write("vault-secret.yml", "bench_secret: bench-value\n")
    bench.write("vault-play.yml", PLAY)
    for name, _what, command, labels in STEPS:
        walls, per_key = [], collections.Counter()
        for _time in range(3 if name in REPEATABLE else 1):
            bench.clear_log()
            walls.append(_run(bench, command, env))
            per_key = collections.Counter(request["path"].split("/")[-2] for request in bench.log()["requests"]
                                          if request["route"] == DECRYPT)
        wall = min(walls)
        bench.record("vault_%s" % name, wall=wall, labels=len(labels), decrypts=sum(per_key.values()),
                     one_per_label=sorted(per_key.values()) == [1] * len(labels)
                     and set(per_key) == set(keys[label] for label in labels))


def _run(bench, command, env):
    started = time.perf_counter()
    done = subprocess.run(command, cwd=bench.work, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise RuntimeError("%s failed (exit code %d)" % (" ".join(command[:3]), done.returncode))
    return wall


def _last(samples, name):
    return (samples.get("vault_%s" % name) or [None])[-1]


def check(samples):
    """(met, measured) for TARGET."""
    runs = [(name, _last(samples, name)) for name, _what, _command, _labels in STEPS]
    if not all(run for _name, run in runs):
        return False, "not measured"
    met = all(run["one_per_label"] for _name, run in runs)
    return met, ", ".join("%s %d for %d label(s)" % (name, run["decrypts"], run["labels"]) for name, run in runs)


def render_lines(samples):
    if not _last(samples, "get"):
        return []
    lines = ["", "## The vault password client", "", "Each command with the emulator as Key Manager (a request costs "
             "about a millisecond here, so the times are start-up and work on this machine): the fastest of 3 runs "
             "for %s, which change nothing, one run for the others. Requests are those of the last run." % (
                 ", ".join("`%s`" % name for name in REPEATABLE)), "",
             "| command | labels | decrypt requests | one per label | wall |", "|---|--:|--:|:-:|--:|"]
    for name, what, _command, _labels in STEPS:
        run = _last(samples, name)
        lines.append("| %s | %d | %d | %s | %.0f ms |" % (
            what, run["labels"], run["decrypts"], "yes" if run["one_per_label"] else "**no**", run["wall"] * 1000))
    get, show, version, view = (_last(samples, name) for name in ("get", "show", "version", "view"))
    lines += ["", "The client starts in %.0f ms; with its one request it takes %.0f ms, %.2f x `ansible-vault --version` "
              "(%.0f ms), and %.0f %% of an `ansible-vault view` that runs it (%.0f ms)." % (
                  show["wall"] * 1000, get["wall"] * 1000, get["wall"] / version["wall"], version["wall"] * 1000,
                  100 * get["wall"] / view["wall"], view["wall"] * 1000)]
    return lines


def main():
    import tempfile
    from types import SimpleNamespace

    from tools.bench import Bench
    from tools.emulator import running_emulator
    with tempfile.TemporaryDirectory(prefix="scwkms-bench-vault-") as work, \
            running_emulator(python=Path(sys.executable)) as emulator:
        bench = Bench(emulator, SimpleNamespace(), work)
        scenario_vault(bench)
        met, measured = check(bench.samples)
        print("\n".join(render_lines(bench.samples) + ["", "%s: %s (%s)" % (TARGET, "met" if met else "MISSED", measured)]))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
