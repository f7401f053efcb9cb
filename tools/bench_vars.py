"""Benchmark of encrypted vars files (issue 10): decrypt requests of the scwkms vars plugin for 1 and N hosts.

The target: one decrypt request per encrypted file per ansible-playbook run, whatever the number of hosts.
Each run writes FILES files with scripts/scwkms-vars (directory form for group all, file form for a group,
one host's directory), then a play over the hosts asserts every host sees its variables.

Called by tools/bench.py (scenario_vars, render_lines, check); alone: python -m tools.bench_vars [--hosts 100]
(its own emulator, prints the lines it would add to docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.collection_copy import build_collection_copy, collections_path

DECRYPT = "POST /keys/{key_id}/decrypt"
GROUPS = 3
FILES = 3
PLAY = """- hosts: all
  gather_facts: false
  tasks:
    - name: "bench: vars"
      ansible.builtin.assert:
        that:
          - bench_common == 'common'
          - (bench_group | default('')) == ('group0' if 'g0' in group_names else '')
        quiet: true
"""


def write_files(bench, directory, host):
    script = Path(collections_path()) / "ansible_collections" / "scwkms" / "key_manager" / "scripts" / "scwkms-vars"
    files = {"group_vars/all/common.scwkms": "bench_common: common\n",
             "group_vars/g0.scwkms": "bench_group: group0\n",
             "host_vars/%s/own.scwkms" % host: "bench_host: %s\n" % host}
    for name, text in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([bench.python, str(script), "encrypt", "--key", "bench-vars", str(directory / name)],
                       input=text, text=True, env=bench.environment, check=True, capture_output=True)


def scenario_vars(bench):
    bench.create_key("bench-vars")
    for hosts in sorted({1, bench.options.hosts}):
        directory = bench.work / ("vars-%d" % hosts)
        names = ["bench-host-%03d" % number for number in range(hosts)]
        inventory = "".join("[g%d]\n%s\n" % (group, "\n".join(names[group::GROUPS])) for group in range(GROUPS))
        directory.mkdir()
        (directory / "hosts.ini").write_text(inventory + "[all:vars]\nansible_connection=local\n")
        write_files(bench, directory, names[0])
        (directory / "vars.yml").write_text(PLAY)
        wall, _timings, log = bench.play(directory / "vars.yml", inventory=directory / "hosts.ini", extra_env={
            "ANSIBLE_VARS_ENABLED": "host_group_vars,scwkms.key_manager.scwkms"})
        bench.record("vars_%d" % hosts, wall=wall, hosts=hosts, files=FILES, decrypts=log["counts"].get(DECRYPT, 0),
                     requests=sum(log["counts"].values()), counts=log["counts"])


def runs(samples):
    """The last sample of each vars_<hosts> scenario, by host count; the samples of other scenarios are ignored."""
    names = [name for name in samples if name.startswith("vars_") and name.split("_")[1].isdigit()]
    return [samples[name][-1] for name in sorted(names, key=lambda name: int(name.split("_")[1]))]


def check(samples):
    """(met, measured) of the target: decrypt requests = encrypted files, for every host count."""
    measured = runs(samples)
    return (bool(measured) and all(run["decrypts"] == run["files"] for run in measured),
            ", ".join("%d hosts: %d decrypts for %d files" % (run["hosts"], run["decrypts"], run["files"])
                      for run in measured) or "not measured")


def render_lines(samples):
    lines = ["", "## Encrypted vars files (the scwkms vars plugin)", "",
             "One play asserting every host's variables; %d encrypted files (group `all` in directory form, one group "
             "in file form, one host). Target: one decrypt request per file per run, whatever the hosts." % FILES, "",
             "| hosts | files | decrypt requests | all requests | wall (play) |", "|--:|--:|--:|--:|--:|"]
    for run in runs(samples):
        lines.append("| %d | %d | %d | %d | %.2f s |" % (
            run["hosts"], run["files"], run["decrypts"], run["requests"], run["wall"]))
    met, measured = check(samples)
    if not met:
        lines += ["", "**Vars plugin: target missed** (%s)." % measured]
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.bench_vars", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--hosts", type=int, default=100)
    options = parser.parse_args(argv)
    from tools.bench import Bench
    from tools.emulator import running_emulator
    build_collection_copy()
    with tempfile.TemporaryDirectory(prefix="scwkms-bench-vars-") as work, \
            running_emulator(python=Path(sys.executable)) as emulator:
        bench = Bench(emulator, options, work)
        scenario_vars(bench)
    met, measured = check(bench.samples)
    print("\n".join(render_lines(bench.samples) + ["", "target %s: %s" % ("met" if met else "MISSED", measured)]))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
