"""`make bench`: how much faster a keyring is than a loop, and what each module costs next to Ansible itself.

Starts one emulator, runs every scenario --runs times, alternately (A B C ... A B C ...), and writes
docs/benchmarks.md (tables of medians, ratios measured in the same run, request counts from the
emulator's log, targets met or missed) and docs/benchmarks.json (every sample). Not part of `make test`.

Scenarios (see docs/benchmarks.md for what each one measures):
  floor        N tasks of ansible.builtin.ping on localhost: the cost of Ansible itself
  key_noop     N tasks of scwkms_key on one unchanged key
  public_key   N tasks of scwkms_public_key (key by id)
  sign         N tasks of scwkms_sign (key by id, digest given)
  keyring      the keyring role over K keys: first run (create), no-op re-run, a run rotating K/10 keys
  loop         the same keys converged by a loop over scwkms_key (create, no-op, rotate K/10), on a sample
               of --loop-keys keys, extrapolated per item to K
  lookup       the scwkms_public_key lookup templated over 100 hosts: total requests
  vars         the scwkms vars plugin, 3 encrypted files, 1 and 100 hosts: decrypt requests (tools/bench_vars.py)
  memory       peak RSS of the scwkms_keyring module process (first run and no-op), via an interpreter shim
  profile      cProfile of the module processes, and each module process timed outside Ansible
  emulator     the emulator's own throughput on a mixed workload from parallel clients
  encryption   scwkms_encrypt / scwkms_decrypt: requests, envelopes up to 64 MiB, throughput, memory
               (tools/bench_encryption.py; --encryption-only runs it alone)
  vault        the ansible-vault password client: decrypt requests per label, start-up (tools/bench_vault.py)

Usage: python -m tools.bench [--runs 3] [--tasks 10] [--keys 500] [--loop-keys 100] [--hosts 100] [--quick]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import glob
import hashlib
import io
import json
import math
import multiprocessing
import os
import platform
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tools import bench_encryption, bench_vars
from tools.collection_copy import build_collection_copy, collections_path
from tools.connection_vars import connection_vars
from tools.emulator import running_emulator
from tools import bench_vault
from tools.paths import REPO_ROOT

CALLBACKS = REPO_ROOT / "tools" / "bench" / "callback_plugins"
DOCS = REPO_ROOT / "docs"
MANAGEMENT_TAG = "managed-by:scwkms-keyring"
PAGE_SIZE = 100
API = "/key-manager/v1alpha1/regions/fr-par"
LOOKUP_KEYS = 5

TARGETS = {
    "vault_requests": bench_vault.TARGET,
    "key_noop_requests": "scwkms_key no-op: exactly 1 request",
    "key_noop_ratio": "scwkms_key no-op: at most 1.3 x the wall time of an ansible.builtin.ping task",
    "keyring_noop_lists": "keyring no-op: at most ceil(keys / page size) list requests",
    "keyring_noop_writes": "keyring no-op: no write request",
    "keyring_noop_wall": "keyring no-op: whole play under 5 s",
    "keyring_noop_speedup": "keyring no-op: at least 20 x faster than the loop over scwkms_key",
    # A name costs one list to find its id, once per run: the cache no longer outlives a run (issue 8).
    "lookup_requests": "lookup over 100 hosts: one request per distinct key by id, two by name (list + public key)",
    "keyring_memory": "keyring module process over the keys: peak memory under 150 MB",
    "vars_requests": "vars plugin: decrypt requests = encrypted files, for 1 and 100 hosts",
}


# -- small helpers ---------------------------------------------------------------------------------

def median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def http(method, url, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("X-Auth-Token", token)
    with urllib.request.urlopen(request, timeout=60) as response:
        raw = response.read()
    return json.loads(raw) if raw else {}


class Bench:
    """Everything one benchmark run shares: the emulator, credentials, a work directory, the samples."""

    def __init__(self, emulator, options, work):
        self.emulator = emulator
        self.options = options
        self.work = Path(work)
        self.creds = connection_vars(emulator.url)
        self.samples = {}
        self.ids = {}
        self.python = sys.executable
        self.playbook = str(Path(sys.executable).parent / "ansible-playbook")
        self.environment = dict(os.environ)
        self.environment.update({
            "ANSIBLE_COLLECTIONS_PATH": collections_path(),
            "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS),
            "ANSIBLE_CALLBACKS_ENABLED": "bench_timer",
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_NOCOWS": "true",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_REMOTE_TMP": str(self.work / "remote-tmp"),
            "SCW_API_URL": emulator.url,
            "SCW_SECRET_KEY": self.creds["scwkms_secret_key"],
            "SCW_ACCESS_KEY": self.creds["scwkms_access_key"],
            "SCW_DEFAULT_PROJECT_ID": self.creds["scwkms_project_id"],
            "SCW_DEFAULT_REGION": "fr-par",
        })
        self.environment.pop("ANSIBLE_KEEP_REMOTE_FILES", None)

    # -- emulator --------------------------------------------------------------------------------

    def control(self, method, name, body=None):
        return http(method, "%s/_emulator/%s" % (self.emulator.url, name), body)

    def api(self, method, path, body=None):
        return http(method, self.emulator.url + API + path, body, self.creds["scwkms_secret_key"])

    def clear_log(self):
        self.control("DELETE", "requests")

    def log(self):
        return self.control("GET", "requests")

    def create_key(self, name, algorithm="aes_256_gcm"):
        usage = "symmetric_encryption" if algorithm == "aes_256_gcm" else "asymmetric_signing"
        return self.api("POST", "/keys", {"project_id": self.creds["scwkms_project_id"], "name": name,
                                          "usage": {usage: algorithm}, "unprotected": True, "tags": []})

    def reset(self):
        """A fresh emulator state, with the few keys the per-task scenarios use."""
        self.control("POST", "reset")
        self.ids["noop"] = self.create_key("bench-noop")["id"]
        self.ids["signer"] = self.create_key("bench-signer", "ec_p256_sha256")["id"]
        self.ids["lookup"] = [self.create_key("bench-lookup-%d" % number, "ec_p256_sha256")["id"]
                              for number in range(LOOKUP_KEYS)]

    # -- playbooks -------------------------------------------------------------------------------

    def write(self, name, content):
        path = self.work / name
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=1))
        return path

    def play(self, playbook, inventory=None, extra_env=None, interpreter=None):
        """Run a playbook; (wall seconds, timings from the callback, request log)."""
        timings = self.work / "timings.json"
        if timings.exists():
            timings.unlink()
        environment = dict(self.environment, BENCH_TIMINGS=str(timings), **(extra_env or {}))
        command = [self.playbook, str(playbook), "-e", "ansible_python_interpreter=%s" % (interpreter or self.python)]
        command += ["-i", str(inventory)] if inventory else ["-i", "localhost,", "-c", "local"]
        self.clear_log()
        started = time.perf_counter()
        result = subprocess.run(command, cwd=self.work, env=environment, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        if result.returncode != 0:
            sys.stderr.write(result.stdout[-6000:] + result.stderr[-3000:])
            raise RuntimeError("playbook %s failed (exit code %d)" % (playbook, result.returncode))
        log = self.log()
        return wall, json.loads(timings.read_text()), log

    def record(self, scenario, **values):
        self.samples.setdefault(scenario, []).append(values)
        shown = ", ".join("%s=%s" % (key, round(value, 3) if isinstance(value, float) else value)
                          for key, value in values.items() if not isinstance(value, (list, dict)))
        print("  %-22s %s" % (scenario, shown), flush=True)


# -- per-task scenarios ------------------------------------------------------------------------------

def task_playbook(module, args, count):
    tasks = "".join('    - name: "bench: %d"\n      %s: %s\n' % (number, module, json.dumps(args))
                    for number in range(count))
    return "- hosts: localhost\n  gather_facts: false\n  tasks:\n" + tasks


def per_task(bench, scenario, module, args):
    count = bench.options.tasks
    path = bench.write("%s.yml" % scenario, task_playbook(module, args, count))
    wall, timings, log = bench.play(path)
    seconds = [task["seconds"] for task in timings["tasks"] if task["name"].startswith("bench: ")]
    # The first task of a play pays for loading the module and plugins once: it is kept out of the median.
    bench.record(scenario, wall=wall, task_median=median(seconds[1:]), task_seconds=seconds,
                 requests=sum(log["counts"].values()), requests_per_task=sum(log["counts"].values()) / count,
                 counts=log["counts"])


def scenario_tasks(bench):
    per_task(bench, "floor", "ansible.builtin.ping", {})
    per_task(bench, "key_noop", "scwkms.key_manager.scwkms_key", {"name": "bench-noop", "protected": False})
    per_task(bench, "public_key", "scwkms.key_manager.scwkms_public_key", {"key": bench.ids["signer"]})
    digest = hashlib.sha256(b"bench").hexdigest()
    per_task(bench, "sign", "scwkms.key_manager.scwkms_sign",
             {"key": bench.ids["signer"], "algorithm": "ec_p256_sha256", "digest": digest})


# -- keyring and loop ---------------------------------------------------------------------------------

def keyring_specs(count, rotate=0):
    keys = []
    for number in range(count):
        spec = {"name": "bench-kr-%03d" % number, "tags": ["team:%d" % (number % 10)]}
        if number < rotate:
            spec["rotate"] = True
        keys.append(spec)
    return keys


KEYRING_DEFAULTS = {"rotation_period": "90d", "rotate_if_older_than": "30d"}


def keyring_play(bench, name, keys):
    bench.write("%s.json" % name, {"scwkms_keyring_name": "bench", "scwkms_keyring_keys": keys,
                                   "scwkms_keyring_defaults": KEYRING_DEFAULTS})
    return bench.write("%s.yml" % name, (
        "- hosts: localhost\n  gather_facts: false\n  vars_files: [%s.json]\n"
        "  roles:\n    - scwkms.key_manager.keyring\n" % name))


def loop_play(bench, name, keys):
    """The same specs as the keyring, one scwkms_key task execution per key."""
    bench.write("%s.json" % name, {"bench_keys": keys})
    return bench.write("%s.yml" % name, (
        "- hosts: localhost\n  gather_facts: false\n  vars_files: [%s.json]\n  tasks:\n"
        "    - name: \"bench: loop\"\n      scwkms.key_manager.scwkms_key:\n"
        "        name: \"{{ item.name }}\"\n"
        "        tags: \"{{ item.tags + ['%s'] }}\"\n"
        "        rotation_policy: {rotation_period: 90d}\n"
        "        rotate: \"{{ item.rotate | default(false) }}\"\n"
        "        rotate_if_older_than: \"{{ omit if item.rotate | default(false) else '30d' }}\"\n"
        "      loop: \"{{ bench_keys }}\"\n" % (name, MANAGEMENT_TAG)))


def run_keyring(bench, scenario, path):
    wall, timings, log = bench.play(path)
    module = [task["seconds"] for task in timings["tasks"] if "Converge every key" in task["name"]]
    writes = sum(1 for request in log["requests"] if request["method"] != "GET")
    bench.record(scenario, wall=wall, module_task=module[0] if module else None, requests=sum(log["counts"].values()),
                 lists=log["counts"].get("GET /keys", 0), writes=writes, counts=log["counts"])


def scenario_keyring(bench):
    keys = bench.options.keys
    run_keyring(bench, "keyring_create", keyring_play(bench, "keyring-create", keyring_specs(keys)))
    run_keyring(bench, "keyring_noop", keyring_play(bench, "keyring-noop", keyring_specs(keys)))
    run_keyring(bench, "keyring_rotate", keyring_play(bench, "keyring-rotate", keyring_specs(keys, keys // 10)))


def run_loop(bench, scenario, keys):
    wall, timings, log = bench.play(loop_play(bench, scenario.replace("_", "-"), keys))
    loop = [task["seconds"] for task in timings["tasks"] if task["name"] == "bench: loop"][0]
    total = bench.options.keys
    writes = sum(1 for request in log["requests"] if request["method"] != "GET")
    bench.record(scenario, wall=wall, loop_task=loop, items=len(keys), per_item=loop / len(keys),
                 overhead=wall - loop, extrapolated_wall=wall - loop + loop / len(keys) * total,
                 requests=sum(log["counts"].values()), requests_per_item=sum(log["counts"].values()) / len(keys),
                 writes=writes, counts=log["counts"])


def scenario_loop(bench):
    """The loop over the keyring's keys: no-op and rotate on a sample of them, create on fresh names."""
    sample = min(bench.options.loop_keys, bench.options.keys)
    run_loop(bench, "loop_noop", keyring_specs(sample))
    run_loop(bench, "loop_rotate", keyring_specs(sample, sample // 10))
    fresh = [dict(spec, name=spec["name"].replace("bench-kr-", "bench-loop-")) for spec in keyring_specs(sample)]
    run_loop(bench, "loop_create", fresh)


# -- lookup over many hosts ---------------------------------------------------------------------------

def scenario_lookup(bench):
    hosts = bench.options.hosts
    inventory = bench.write("hosts.ini", "[bench]\n" + "".join(
        "bench-host-%03d bench_index=%d ansible_connection=local\n" % (number, number) for number in range(hosts)))
    for form, refs in (("id", bench.ids["lookup"]), ("name", ["bench-lookup-%d" % n for n in range(LOOKUP_KEYS)])):
        path = bench.write("lookup-%s.yml" % form, (
            "- hosts: bench\n  gather_facts: false\n  vars:\n    bench_refs: %s\n  tasks:\n"
            "    - name: \"bench: lookup\"\n      ansible.builtin.set_fact:\n"
            "        bench_pem: \"{{ lookup('scwkms.key_manager.scwkms_public_key', bench_refs[bench_index | int %% %d]) }}\"\n"
            % (json.dumps(refs), LOOKUP_KEYS)))
        wall, timings, log = bench.play(path, inventory=inventory)
        bench.record("lookup_by_%s" % form, wall=wall, hosts=hosts, distinct_keys=LOOKUP_KEYS,
                     requests=sum(log["counts"].values()), counts=log["counts"])


# -- memory -----------------------------------------------------------------------------------------

SHIM = '''#!%(python)s
# Runs the module with the real interpreter and appends its peak RSS (ru_maxrss of the child) to a log.
import json, resource, subprocess, sys
code = subprocess.call([%(python)r] + sys.argv[1:])
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(%(log)r, "a") as handle:
    handle.write(json.dumps({"argv": sys.argv[1:], "peak_kb": peak_kb}) + "\\n")
sys.exit(code)
'''


def scenario_memory(bench):
    """Peak RSS of the module processes of a keyring first run and no-op, through an interpreter shim."""
    log = bench.work / "rss.log"
    shim = bench.write("python-rss", SHIM % {"python": bench.python, "log": str(log)})
    shim.chmod(0o755)
    keys = keyring_specs(bench.options.keys)
    for scenario, name in (("memory_create", "memory-create"), ("memory_noop", "memory-noop")):
        if log.exists():
            log.unlink()
        bench.play(keyring_play(bench, name, keys), interpreter=str(shim))
        entries = [json.loads(line) for line in log.read_text().splitlines()]
        keyring = [entry["peak_kb"] for entry in entries if any("scwkms_keyring" in arg for arg in entry["argv"])]
        bench.record(scenario, peak_mb=max(keyring) / 1024.0 if keyring else None, processes=len(entries))


# -- profile: module processes outside Ansible --------------------------------------------------------

def kept_payloads(bench, playbook):
    """Run a playbook keeping the AnsiballZ payloads; {module name: payload path}."""
    remote = bench.work / "remote-tmp"
    kept = bench.work / "payloads"
    kept.mkdir(exist_ok=True)
    shutil.rmtree(remote, ignore_errors=True)
    bench.play(playbook, extra_env={"ANSIBLE_KEEP_REMOTE_FILES": "1"})
    payloads = {}
    for path in glob.glob(str(remote / "ansible-tmp-*" / "AnsiballZ_*.py")):
        target = kept / Path(path).name
        shutil.copy(path, target)
        payloads[Path(path).name[len("AnsiballZ_"):-3]] = str(target)
    shutil.rmtree(remote, ignore_errors=True)
    return payloads


def time_payload(bench, payload, repeat):
    samples = []
    for dummy in range(repeat):
        started = time.perf_counter()
        subprocess.run([bench.python, payload], env=bench.environment, capture_output=True, check=False)
        samples.append(time.perf_counter() - started)
    return median(samples)


PROFILE_DRIVER = """
import cProfile, importlib, json, sys
from ansible.module_utils.testing import patch_module_args
profile = cProfile.Profile()
profile.enable()
try:
    with patch_module_args(json.load(open(sys.argv[2]))):
        importlib.import_module(sys.argv[1]).main()
except SystemExit:
    pass
profile.disable()
profile.dump_stats(sys.argv[3])
"""


def profile_module(bench, module, args, top=16):
    """cProfile of one module run in a fresh interpreter: its imports, its API calls, its own work.
    (The AnsiballZ wrapper is left out: it only unpacks the payload; its cost shows in process_seconds.)"""
    args_path = bench.write("%s-args.json" % module, args)
    profile_path = bench.work / ("%s.prof" % module)
    environment = dict(bench.environment, PYTHONPATH=collections_path())
    subprocess.run([bench.python, "-c", PROFILE_DRIVER, "ansible_collections.scwkms.key_manager.plugins.modules.%s"
                    % module, str(args_path), str(profile_path)], env=environment, capture_output=True, check=False)
    stats = pstats.Stats(str(profile_path), stream=io.StringIO())
    rows = []
    for (filename, line, function), (dummy, calls, own, cumulative, dummy2) in stats.stats.items():
        rows.append({"function": "%s:%s(%s)" % (_short(filename), line, function), "calls": calls,
                     "own_s": own, "cumulative_s": cumulative})
    rows.sort(key=lambda row: row["cumulative_s"], reverse=True)
    return {"total_s": stats.total_tt, "top": [row for row in rows if "<frozen" not in row["function"]][:top]}


def _short(filename):
    for marker in ("site-packages/", "ansible_collections/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename if len(filename) < 60 else "..." + filename[-57:]


def import_seconds(bench, modules):
    """Seconds to import each module in a fresh interpreter, on top of ansible.module_utils.basic (which
    every module imports first); "ansible.module_utils.basic" itself is timed alone. Median of 5."""
    result = {}
    for module in modules:
        before = "" if module == "ansible.module_utils.basic" else "import ansible.module_utils.basic; "
        samples = []
        for dummy in range(5):
            code = "%simport time; s=time.perf_counter(); import %s; print(time.perf_counter()-s)" % (before, module)
            output = subprocess.run([bench.python, "-c", code], capture_output=True, text=True, env=bench.environment,
                                    check=False).stdout.strip()
            samples.append(float(output) if output else None)
        result[module] = median(samples)
    return result


def scenario_profile(bench):
    """Each module process run outside Ansible (median of 7), and where its time goes (cProfile)."""
    playbook = bench.write("profile.yml", task_playbook("ansible.builtin.ping", {}, 1).replace(
        "  tasks:\n", "  tasks:\n    - name: \"bench: key\"\n      scwkms.key_manager.scwkms_key: %s\n"
        % json.dumps({"name": "bench-noop", "protected": False})))
    payloads = kept_payloads(bench, playbook)
    keyring = kept_payloads(bench, keyring_play(bench, "profile-keyring", keyring_specs(bench.options.keys)))
    payloads.update(keyring)
    result = {"process_seconds": {}, "profiles": {}}
    for module in ("ping", "scwkms_key", "scwkms_keyring"):
        if module in payloads:
            result["process_seconds"][module] = time_payload(bench, payloads[module], 7)
    result["profiles"]["scwkms_key"] = profile_module(bench, "scwkms_key", {"name": "bench-noop", "protected": False})
    result["profiles"]["scwkms_keyring"] = profile_module(bench, "scwkms_keyring", {
        "keyring": "bench", "keys": keyring_specs(bench.options.keys), "defaults": KEYRING_DEFAULTS})
    result["import_seconds"] = import_seconds(bench, ["ansible.module_utils.basic", "requests", "http.client, ssl"])
    bench.record("profile", **result)


# -- emulator throughput ------------------------------------------------------------------------------

def _client(url, token, project, key_ids, signer, seconds, seed):
    """One client process: a mixed workload for `seconds`; returns the latencies by route."""
    import requests  # the venv has it; imported here so the parent does not need it
    session = requests.Session()
    session.headers.update({"X-Auth-Token": token, "Content-Type": "application/json"})
    rng = random.Random(seed)
    digest = hashlib.sha256(b"x").digest()
    import base64
    latencies = {}
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        draw = rng.random()
        key = rng.choice(key_ids)
        if draw < 0.40:
            route, method, path, body, params = "GET /keys/{id}", "GET", "/keys/" + key, None, None
        elif draw < 0.55:
            route, method, path, body, params = "GET /keys", "GET", "/keys", None, {
                "project_id": project, "page_size": 100, "tags": "bench-throughput"}
        elif draw < 0.70:
            route, method, path, params = "POST sign", "POST", "/keys/%s/sign" % signer, None
            body = {"digest": base64.b64encode(digest).decode()}
        elif draw < 0.85:
            route, method, path, params = "POST encrypt", "POST", "/keys/%s/encrypt" % key, None
            body = {"plaintext": base64.b64encode(b"hello").decode()}
        elif draw < 0.95:
            route, method, path, params = "PATCH", "PATCH", "/keys/" + key, None
            body = {"description": "d%d" % rng.randint(0, 9)}
        else:
            route, method, path, body, params = "POST rotate", "POST", "/keys/%s/rotate" % key, {}, None
        started = time.perf_counter()
        response = session.request(method, url + API + path, params=params,
                                   data=None if body is None else json.dumps(body))
        elapsed = time.perf_counter() - started
        if response.status_code >= 300:
            raise RuntimeError("%s answered %s" % (route, response.status_code))
        latencies.setdefault(route, []).append(elapsed)
    return latencies


def scenario_emulator(bench):
    bench.control("POST", "reset")
    project = bench.creds["scwkms_project_id"]
    key_ids = [bench.api("POST", "/keys", {"project_id": project, "name": "tp-%d" % n, "unprotected": True,
                                           "usage": {"symmetric_encryption": "aes_256_gcm"},
                                           "tags": ["bench-throughput"]})["id"] for n in range(20)]
    signer = bench.create_key("tp-signer", "ec_p256_sha256")["id"]
    seconds = bench.options.emulator_seconds
    results = {}
    for clients in (1, 4, 8):
        with concurrent.futures.ProcessPoolExecutor(max_workers=clients,
                                                    mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(_client, bench.emulator.url, bench.creds["scwkms_secret_key"], project, key_ids,
                                   signer, seconds, seed) for seed in range(clients)]
            merged = {}
            for future in futures:
                for route, values in future.result().items():
                    merged.setdefault(route, []).extend(values)
        every = sorted(value for values in merged.values() for value in values)
        results[clients] = {"requests": len(every), "per_second": len(every) / seconds,
                            "p50_ms": every[len(every) // 2] * 1000, "p99_ms": every[int(len(every) * 0.99)] * 1000,
                            "routes": dict((route, len(values)) for route, values in merged.items())}
        bench.record("emulator_%d_clients" % clients, **results[clients])
    bench.reset()


# -- report -----------------------------------------------------------------------------------------

def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    import ansible
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory, "os": platform.platform(),
            "python": platform.python_version(), "ansible_core": ansible.__version__}


def summarize(bench, options, elapsed):
    s = bench.samples

    def med(scenario, field):
        return median([sample.get(field) for sample in s.get(scenario, [])])

    floor = med("floor", "task_median")
    ratios = {}
    for scenario in ("key_noop", "public_key", "sign"):
        per_run = [sample["task_median"] / base["task_median"] for sample, base in zip(s[scenario], s["floor"])]
        ratios[scenario] = {"task_median": med(scenario, "task_median"), "ratio_median": median(per_run),
                            "ratio_runs": per_run, "requests_per_task": med(scenario, "requests_per_task")}
    keys = options.keys
    loop = dict((kind, {"extrapolated_wall": med("loop_%s" % kind, "extrapolated_wall"),
                        "per_item": med("loop_%s" % kind, "per_item"),
                        "requests_per_item": med("loop_%s" % kind, "requests_per_item")})
                for kind in ("create", "noop", "rotate"))
    keyring = dict((kind, {"wall": med("keyring_%s" % kind, "wall"), "module_task": med("keyring_%s" % kind, "module_task"),
                           "requests": med("keyring_%s" % kind, "requests"), "lists": med("keyring_%s" % kind, "lists"),
                           "writes": med("keyring_%s" % kind, "writes")})
                   for kind in ("create", "noop", "rotate"))
    for kind in keyring:
        keyring[kind]["speedup"] = (loop[kind]["extrapolated_wall"] / keyring[kind]["wall"]
                                    if loop[kind]["extrapolated_wall"] and keyring[kind]["wall"] else None)
    memory = max([sample["peak_mb"] for name in ("memory_create", "memory_noop") for sample in s.get(name, [])
                  if sample.get("peak_mb")] or [None])
    lookups = dict((form, s["lookup_by_%s" % form][-1]) for form in ("id", "name") if s.get("lookup_by_%s" % form))
    checks = {
        "vault_requests": bench_vault.check(s),
        "key_noop_requests": (ratios["key_noop"]["requests_per_task"] == 1, "%g requests per task"
                              % ratios["key_noop"]["requests_per_task"]),
        "key_noop_ratio": (ratios["key_noop"]["ratio_median"] <= 1.3, "%.2f x (runs: %s)" % (
            ratios["key_noop"]["ratio_median"], ", ".join("%.2f" % ratio for ratio in ratios["key_noop"]["ratio_runs"]))),
        "keyring_noop_lists": (keyring["noop"]["lists"] <= math.ceil(keys / PAGE_SIZE), "%d list requests (limit %d)"
                               % (keyring["noop"]["lists"], math.ceil(keys / PAGE_SIZE))),
        "keyring_noop_writes": (keyring["noop"]["writes"] == 0, "%d writes" % keyring["noop"]["writes"]),
        "keyring_noop_wall": (keyring["noop"]["wall"] < 5.0, "%.2f s" % keyring["noop"]["wall"]),
        "keyring_noop_speedup": ((keyring["noop"]["speedup"] or 0) >= 20, "%.1f x" % (keyring["noop"]["speedup"] or 0)),
        "lookup_requests": (all(run["requests"] == run["distinct_keys"] * (2 if form == "name" else 1)
                                for form, run in lookups.items()),
                            ", ".join("by %s: %d requests for %d keys" % (form, run["requests"], run["distinct_keys"])
                                      for form, run in lookups.items())),
        "keyring_memory": (memory is not None and memory < 150, "%.1f MB" % memory if memory else "not measured"),
        "vars_requests": bench_vars.check(s),
    }
    return {"machine": machine(), "options": vars(options), "elapsed_seconds": elapsed,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "floor_task_median": floor, "per_task": ratios, "keyring": keyring, "loop": loop, "memory_mb": memory,
            "lookup": lookups, "checks": dict((name, {"met": bool(met), "measured": text, "target": TARGETS[name]})
                                              for name, (met, text) in checks.items()),
            "profile": (s.get("profile") or [{}])[-1],
            "emulator": dict((name[len("emulator_"):], values[-1]) for name, values in s.items()
                             if name.startswith("emulator_")),
            "encryption": bench_encryption.summarize(s, options), "samples": s}


def fmt(value, unit="", digits=2):
    if value is None:
        return "-"
    return ("%.*f%s" % (digits, value, unit)) if isinstance(value, float) else "%s%s" % (value, unit)


def render(summary, command):
    m, o = summary["machine"], summary["options"]
    keys, sample = o["keys"], min(o["loop_keys"], o["keys"])
    lines = [
        "# Benchmarks",
        "",
        "Generated by `%s` (tools/bench.py) on %s, in %.0f s. Raw numbers: [benchmarks.json](benchmarks.json)."
        % (command, summary["date"], summary["elapsed_seconds"]),
        "Re-run the command to refresh both files; everything below the machine line is generated.",
        "",
        "**Machine:** %s, %s cores, %s GB RAM, %s; Python %s, ansible-core %s. The emulator runs on the same "
        "machine, on loopback, so it competes with Ansible for the same cores. Load average (1 min) when the run "
        "started: %s, when it ended: %s; other work on the machine makes every number slower and noisier." % (
            m["cpu"], m["cores"], m["memory_gb"], m["os"], m["python"], m["ansible_core"],
            fmt((summary.get("load_average") or {}).get("start", [None])[0]),
            fmt((summary.get("load_average") or {}).get("end", [None])[0])),
        "",
        "**Method:** one emulator for the whole run; every scenario runs %d times, alternately (all scenarios once, "
        "then again). Medians over the runs; a ratio is computed within each run, then its median is taken. "
        "Per-task scenarios run %d identical tasks in one play; the task time (first start to last result, from a "
        "callback) excludes the first task, which pays for loading the plugins. Request counts come from the "
        "emulator's log, cleared before each play." % (o["runs"], o["tasks"]),
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]
    for check in summary["checks"].values():
        lines.append("| %s | %s | %s |" % (check["target"], check["measured"], "yes" if check["met"] else "**no**"))
    lines += [
        "",
        "## Per task, against the ping floor",
        "",
        "| scenario | wall time per task (median) | ratio to ping (median of the per-run ratios) "
        "| ratio of the medians | requests per task |",
        "|---|--:|--:|--:|--:|",
        "| `ansible.builtin.ping` (floor) | %s | 1.00 | 1.00 | 0 |" % fmt(summary["floor_task_median"] * 1000, " ms", 0),
    ]
    for name, label in (("key_noop", "`scwkms_key`, unchanged key"), ("public_key", "`scwkms_public_key`, key by id"),
                        ("sign", "`scwkms_sign`, key by id, digest given")):
        row = summary["per_task"][name]
        lines.append("| %s | %s | %s | %s | %s |" % (
            label, fmt(row["task_median"] * 1000, " ms", 0), fmt(row["ratio_median"]),
            fmt(row["task_median"] / summary["floor_task_median"]), fmt(row["requests_per_task"], "", 2)))
    lines += [
        "",
        "## Keyring of %d keys against a loop over `scwkms_key`" % keys,
        "",
        "The keyring runs are whole plays of the `keyring` role (argument validation, one module call); wall time is "
        "the `ansible-playbook` process. The loop converges the same specs with one `scwkms_key` task execution per "
        "key, in a play of its own (create: on %d fresh names; no-op and rotate: on the keyring's keys). %s"
        % (sample, ("It was measured on all %d keys, %d time(s) (`--loop-runs`): each run takes minutes."
                    % (keys, o["loop_runs"])) if sample >= keys else
           ("It was measured on %d of the keys and extrapolated to %d (play overhead + %d x the median time per "
            "item), because a loop over %d keys takes minutes per run (`--loop-keys %d` measures it whole)."
            % (sample, keys, keys, keys, keys))),
        "",
        "| run | keyring wall (play) | keyring module task | requests (lists, writes) | loop wall%s "
        "| loop per item | loop requests per key | keyring speed-up |" % ("" if sample >= keys else " (extrapolated)"),
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for kind, label in (("create", "first run (create)"), ("noop", "no-op re-run"),
                        ("rotate", "rotate %d keys" % (keys // 10))):
        kr, lp = summary["keyring"][kind], summary["loop"][kind]
        lines.append("| %s | %s | %s | %s (%s, %s) | %s | %s | %s | %s |" % (
            label, fmt(kr["wall"], " s"), fmt(kr["module_task"], " s"), fmt(kr["requests"], "", 0),
            fmt(kr["lists"], "", 0), fmt(kr["writes"], "", 0), fmt(lp["extrapolated_wall"], " s", 1),
            fmt(lp["per_item"] * 1000 if lp["per_item"] else None, " ms", 0), fmt(lp["requests_per_item"], "", 2),
            fmt(kr["speedup"], " x", 1)))
    lines += [
        "",
        "Peak memory of the `scwkms_keyring` module process (ru_maxrss, through an interpreter shim), over %d keys: "
        "%s." % (keys, ", ".join("%s %s" % (name.split("_")[1], fmt(sample_["peak_mb"], " MB", 1))
                                 for name in ("memory_create", "memory_noop")
                                 for sample_ in summary["samples"].get(name, [])[-1:])),
        "",
        "## Public-key lookup templated over %d hosts" % o["hosts"],
        "",
        "| key reference | distinct keys | requests in total | wall (play) |",
        "|---|--:|--:|--:|",
    ]
    for form, run in summary["lookup"].items():
        lines.append("| by %s | %d | %d | %s |" % (form, run["distinct_keys"], run["requests"], fmt(run["wall"], " s")))
    lines += ["", "Requests by route: %s." % "; ".join(
        "by %s: %s" % (form, ", ".join("%s x%d" % item for item in sorted(run["counts"].items())))
        for form, run in summary["lookup"].items())]
    lines += bench_vars.render_lines(summary["samples"])
    lines += [
        "",
        "## The emulator's own throughput",
        "",
        "Mixed workload (40%% GET key, 15%% filtered list, 15%% sign, 15%% encrypt, 10%% PATCH, 5%% rotate) from "
        "parallel client processes for %d s each, while the rest of the machine is as busy as the load average "
        "above says. The benchmark's busiest scenario, the keyring's first run, asks for %s requests/s (requests / "
        "module task time); the emulator served up to %s requests/s here, %s." % (
            o["emulator_seconds"], fmt(_busiest(summary), "", 0), fmt(_capacity(summary), "", 0),
            "so it is not what limits the scenarios" if (_capacity(summary) or 0) > (_busiest(summary) or 0)
            else "so under this load it may be what limits the busiest scenario"),
        "",
        "| clients | requests/s | p50 | p99 |",
        "|--:|--:|--:|--:|",
    ]
    for clients, row in sorted(summary["emulator"].items(), key=lambda item: int(item[0].split("_")[0])):
        lines.append("| %s | %s | %s | %s |" % (
            clients.split("_")[0], fmt(row["per_second"], "", 0), fmt(row["p50_ms"], " ms", 1),
            fmt(row["p99_ms"], " ms", 1)))
    lines += bench_encryption.render(summary)
    lines += bench_vault.render_lines(summary["samples"])
    lines += notes(summary)
    return "\n".join(lines) + "\n"


def _capacity(summary):
    rates = [row["per_second"] for row in summary["emulator"].values()]
    return max(rates) if rates else None


def _busiest(summary):
    create = summary["keyring"]["create"]
    if create["requests"] and create["module_task"]:
        return create["requests"] / create["module_task"]
    return None


def notes(summary):
    """Where a target is missed: by how much, why, and the profile that shows where the time goes."""
    profile = summary["profile"]
    process = profile.get("process_seconds", {})
    imports = profile.get("import_seconds", {})
    lines = ["", "## Where the time goes", ""]
    lines.append(
        "Each module process run alone, outside Ansible, on its kept AnsiballZ payload (median of 7): %s. "
        "Importing in a fresh interpreter (each after `ansible.module_utils.basic`, but that one alone): %s." % (
            ", ".join("`%s` %s" % (name, fmt(value * 1000, " ms", 0)) for name, value in process.items()),
            ", ".join("`%s` %s" % (name, fmt(value * 1000 if value else None, " ms", 0))
                      for name, value in imports.items())))
    check = summary["checks"]["key_noop_ratio"]
    if not check["met"] and "ping" in process and "scwkms_key" in process:
        key = summary["per_task"]["key_noop"]
        floor = summary["floor_task_median"]
        of_medians = key["task_median"] / floor
        runs = key["ratio_runs"]
        lines += ["", (
            "**`scwkms_key` no-op against ping: target missed by %.2f x** (median of the per-run ratios %.2f, target "
            "1.3; per run %s). The ratio of the medians over all runs is %.2f (%.0f ms against %.0f ms per task), and "
            "the per-run ratios spread from %.2f to %.2f, more than the margin: on this machine, shared with other "
            "work (see the load average), one run cannot tell a miss this small from noise. What `scwkms_key` costs "
            "on top of `ping` is in its module process: run alone, outside Ansible, it took %.0f ms against %.0f ms "
            "for `ping` (median of 7 each). The profile below shows where that process spends its time: importing its "
            "dependencies (`requests` costs %s to import on top of `ansible.module_utils.basic`, which every module "
            "imports and `ping` imports alone), then its one HTTP round trip, before the little the module computes. "
            "Importing `requests` lazily would not help, since the no-op path needs it for its one request; a client "
            "on the standard library's `http.client` (%s to import with `ssl`) would save about %s per task, the "
            "largest single item under the collection's control." % (
                median(runs) - 1.3, median(runs), ", ".join("%.2f" % ratio for ratio in runs), of_medians,
                key["task_median"] * 1000, floor * 1000, min(runs), max(runs), process["scwkms_key"] * 1000,
                process["ping"] * 1000, fmt(imports.get("requests", 0) * 1000, " ms", 0),
                fmt((imports.get("http.client, ssl") or 0) * 1000, " ms", 0),
                fmt(((imports.get("requests") or 0) - (imports.get("http.client, ssl") or 0)) * 1000, " ms", 0)))]
    for name, title in (("scwkms_key", "`scwkms_key` no-op"), ("scwkms_keyring", "`scwkms_keyring` no-op over %d keys"
                                                               % summary["options"]["keys"])):
        prof = profile.get("profiles", {}).get(name)
        if not prof:
            continue
        lines += ["", "cProfile of the %s module process (%.0f ms in total), by cumulative time:" % (
            title, prof["total_s"] * 1000), "", "| function | calls | own | cumulative |", "|---|--:|--:|--:|"]
        for row in prof["top"]:
            lines.append("| `%s` | %d | %.1f ms | %.1f ms |" % (
                row["function"].replace("|", "/"), row["calls"], row["own_s"] * 1000, row["cumulative_s"] * 1000))
    for name in ("keyring_noop_wall", "keyring_noop_speedup", "keyring_noop_lists", "keyring_memory",
                 "lookup_requests", "key_noop_requests", "keyring_noop_writes"):
        check = summary["checks"][name]
        if not check["met"]:
            lines += ["", "**%s: target missed** (%s)." % (check["target"], check["measured"])]
    return lines


# -- main ---------------------------------------------------------------------------------------------

def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each scenario, alternately (default 3)")
    parser.add_argument("--tasks", type=int, default=10, help="tasks per per-task play (default 10)")
    parser.add_argument("--keys", type=int, default=500, help="keys in the keyring (default 500)")
    parser.add_argument("--loop-keys", type=int, default=100,
                        help="keys the loop over scwkms_key is measured on, extrapolated to --keys (default 100)")
    parser.add_argument("--loop-runs", type=int, default=1, help="runs of the loop scenarios (default 1: minutes each)")
    parser.add_argument("--hosts", type=int, default=100, help="hosts the lookup is templated over (default 100)")
    parser.add_argument("--emulator-seconds", type=int, default=4, help="seconds per emulator throughput step")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1 run, 50 keys, 10 loop keys, 10 hosts")
    parser.add_argument("--encryption-mib", type=int, default=64, help="largest file the encryption scenarios "
                        "encrypt, in MiB (default 64, the size the issue's targets name)")
    parser.add_argument("--encryption-only", action="store_true", help="run only the encryption scenarios and "
                        "replace their section of the report in --output")
    parser.add_argument("--output", default=str(DOCS), help="directory for benchmarks.md and benchmarks.json")
    parser.add_argument("--render-only", action="store_true",
                        help="only write benchmarks.md again from the benchmarks.json in --output")
    options = parser.parse_args(argv)
    if options.quick:
        options.runs, options.tasks, options.keys, options.loop_keys, options.hosts = 1, 4, 50, 10, 10
        options.emulator_seconds = 1
    return options


def main(argv=None):
    options = parse(sys.argv[1:] if argv is None else argv)
    output = Path(options.output)
    if options.render_only:
        summary = json.loads((output / "benchmarks.json").read_text())
        (output / "benchmarks.md").write_text(render(summary, summary["command"]))
        return 0
    shown = [arg for arg in sys.argv[1:] if not arg.startswith("--output")]
    command = "make bench" + (" ARGS='%s'" % " ".join(shown) if shown else "")
    load_before = os.getloadavg()
    started = time.perf_counter()
    build_collection_copy()
    with tempfile.TemporaryDirectory(prefix="scwkms-bench-") as work, running_emulator(python=Path(sys.executable)) as emulator:
        bench = Bench(emulator, options, work)
        print("bench: emulator %s (pid %d), work directory %s" % (emulator.url, emulator.pid, work), flush=True)
        if options.encryption_only:
            bench_encryption.scenario(bench, SHIM, collections_path())
            return bench_encryption.standalone(output, bench, options, command)
        for run in range(options.runs):
            print("run %d of %d" % (run + 1, options.runs), flush=True)
            bench.reset()
            scenario_tasks(bench)
            scenario_keyring(bench)
            if run < options.loop_runs:
                scenario_loop(bench)
        print("once: lookup, memory, profile, emulator throughput", flush=True)
        bench.reset()
        scenario_lookup(bench)
        bench_vars.scenario_vars(bench)
        bench.control("POST", "reset")
        scenario_memory(bench)
        bench.reset()
        bench_vault.scenario_vault(bench)
        scenario_profile(bench)
        scenario_emulator(bench)
        bench_encryption.scenario(bench, SHIM, collections_path())
        summary = summarize(bench, options, time.perf_counter() - started)
    summary.update(command=command, load_average={"start": load_before, "end": os.getloadavg()})
    output.mkdir(parents=True, exist_ok=True)
    (output / "benchmarks.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    (output / "benchmarks.md").write_text(render(summary, command))
    print("\n" + render(summary, command), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
