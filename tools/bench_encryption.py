"""`make bench`, encryption (issue 9): what scwkms_encrypt and scwkms_decrypt cost, direct and as envelopes.

Called by tools/bench.py (its Bench object runs the plays and records the samples); `make bench
ARGS='--encryption-only'` runs these scenarios alone and puts their section into the existing report.

Scenarios:
  encrypt_direct, decrypt_direct   --tasks tasks of each module on a short text (key by id plus algorithm):
                                   requests per task
  envelope_<size>                  a file of each size encrypted to a file (envelope: always) and decrypted back,
                                   one task each: requests per task, module task time
  stream_throughput                in-process, over the largest file: _envelope.seal_stream and open_stream
                                   (file to file, as the modules run them) against AESGCM.encrypt/decrypt of the
                                   same bytes in memory; the ratio is taken within each of 3 rounds
  envelope_memory                  peak RSS of the module process encrypting and decrypting the largest file
                                   (ru_maxrss through bench.py's interpreter shim)
"""

from __future__ import annotations

import base64
import json
import os
import statistics
import sys
import time
from pathlib import Path

MIB = 1024 * 1024
ENCRYPT = "scwkms.key_manager.scwkms_encrypt"
DECRYPT = "scwkms.key_manager.scwkms_decrypt"
ALGORITHM = "aes_256_gcm"
ROUNDS = 7
ROUNDS_E2E = 3
TARGETS = {
    "direct_requests": "direct encrypt and decrypt: exactly 1 request per task",
    "envelope_requests": "envelope encrypt and decrypt: exactly 1 request per task, whatever the size",
    "stream_throughput": "envelope path (module_utils streaming) over the largest file (64 MiB by default): at least "
                         "50% of raw AESGCM",
    "envelope_memory": "module process on the largest file (64 MiB by default): peak memory under 3 x the file size",
}


def sizes(options):
    """File sizes of the envelope scenario: 1 KiB (below the service limit: envelope only because asked),
    1 MiB, and --encryption-mib MiB (64 by default, the issue's figure)."""
    return sorted({1024, MIB, options.encryption_mib * MIB})


def label(size):
    return "%d MiB" % (size // MIB) if size >= MIB else "%d KiB" % (size // 1024)


def play_of(tasks):
    return "- hosts: localhost\n  gather_facts: false\n  tasks:\n" + "".join(
        '    - name: "bench: %s"\n      %s: %s\n      no_log: true\n' % (name, module, json.dumps(args))
        for name, module, args in tasks)


def run_play(bench, name, tasks, interpreter=None):
    """(task seconds by name, request counts) of one play of the given tasks."""
    wall, timings, log = bench.play(bench.write(name + ".yml", play_of(tasks)), interpreter=interpreter)
    seconds = dict((task["name"][len("bench: "):], task["seconds"]) for task in timings["tasks"]
                   if task["name"].startswith("bench: "))
    return seconds, log["counts"], wall


# -- direct ----------------------------------------------------------------------------------------

def scenario_direct(bench, key_id):
    count = bench.options.tasks
    ciphertext = bench.api("POST", "/keys/%s/encrypt" % key_id,
                           {"plaintext": base64.b64encode(b"bench plaintext").decode()})["ciphertext"]
    # scwkms_decrypt needs no algorithm: its one /decrypt works whatever the key.
    for scenario, module, args in (("encrypt_direct", ENCRYPT, {"key": key_id, "algorithm": ALGORITHM,
                                                                "content": "bench plaintext"}),
                                   ("decrypt_direct", DECRYPT, {"key": key_id, "ciphertext": ciphertext})):
        seconds, counts, wall = run_play(bench, scenario, [("%d" % n, module, args) for n in range(count)])
        per_task = [seconds["%d" % n] for n in range(1, count)]
        bench.record(scenario, wall=wall, task_median=statistics.median(per_task), requests=sum(counts.values()),
                     requests_per_task=sum(counts.values()) / count, counts=counts)


# -- envelopes ---------------------------------------------------------------------------------------

def plain_file(bench, size):
    plain = bench.work / ("plain-%d" % size)
    if not plain.exists():
        with open(plain, "wb") as handle:
            for dummy in range(0, size, MIB):
                handle.write(os.urandom(min(MIB, size)))
    return plain


def envelope_tasks(bench, key_id, size, number=0):
    """(plain file, decrypted file, [encrypt task, decrypt task]) on files numbered `number`."""
    plain = plain_file(bench, size)
    sealed, opened = (bench.work / ("%s-%d-%d" % (kind, size, number)) for kind in ("sealed", "opened"))
    for path in (sealed, opened):
        if path.exists():
            path.unlink()
    return plain, opened, [
        ("encrypt %d" % number, ENCRYPT, {"key": key_id, "algorithm": ALGORITHM, "path": str(plain),
                                          "dest": str(sealed), "envelope": "always"}),
        ("decrypt %d" % number, DECRYPT, {"key": key_id, "path": str(sealed), "dest": str(opened)})]


def scenario_envelopes(bench, key_id):
    """One play: ROUNDS_E2E times, an encrypt/decrypt pair of each size, on files of its own (a pair never finds
    its dest already written, which would make it compare instead of write). Sizes alternate, so that the load
    of a shared machine falls on all of them alike. The request log, in task order, must read encrypt, decrypt,
    encrypt, ...: one request per task, whatever the size."""
    tasks, files = [], []
    for number in range(ROUNDS_E2E):
        for size in sizes(bench.options):
            plain, opened, pair = envelope_tasks(bench, key_id, size, number)
            tasks += [("%s %s #%d" % (name.split()[0], label(size), number), module, args)
                      for name, module, args in pair]
            files.append((plain, opened))
    seconds, counts, wall = run_play(bench, "envelopes", tasks)
    routes = [request["route"].rsplit("/", 1)[-1] for request in bench.log()["requests"]]
    if any(plain.read_bytes() != opened.read_bytes() for plain, opened in files):
        raise RuntimeError("a file did not come back from its envelope")
    for dummy, opened in files:
        opened.unlink()
    one_each = routes == ["encrypt", "decrypt"] * (len(tasks) // 2)
    for size in sizes(bench.options):
        bench.record("envelope_%d" % size, size=size, pairs=ROUNDS_E2E, wall=wall, counts=counts,
                     requests=2 if one_each else None, **dict(("%s_s" % kind, statistics.median(
                         value for name, value in seconds.items() if name.startswith("%s %s #" % (kind, label(size)))))
                         for kind in ("encrypt", "decrypt")))


def scenario_memory(bench, key_id, shim_source):
    """Peak RSS of each module process over the largest file, through the interpreter shim of bench.py."""
    size = max(sizes(bench.options))
    log = bench.work / "rss-encryption.log"
    shim = bench.write("python-rss-encryption", shim_source % {"python": bench.python, "log": str(log)})
    shim.chmod(0o755)
    if log.exists():
        log.unlink()
    dummy, dummy2, tasks = envelope_tasks(bench, key_id, size)
    run_play(bench, "envelope-memory", tasks, interpreter=str(shim))
    peaks = {}
    for entry in (json.loads(line) for line in log.read_text().splitlines()):
        for module in ("scwkms_encrypt", "scwkms_decrypt"):
            if any(module in arg for arg in entry["argv"]):
                peaks[module] = max(peaks.get(module, 0), entry["peak_kb"] / 1024.0)
    bench.record("envelope_memory", size=size, peak_mb=peaks, limit_mb=3 * size / MIB)


# -- in-process throughput ------------------------------------------------------------------------------

def _timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def stream_round(envelope, aesgcm, plain, work, raw_first=True):
    """One round: (raw encrypt s, stream encrypt s, raw decrypt s, stream decrypt s)."""
    key, iv, aad = os.urandom(32), os.urandom(12), b"bench"
    data = plain.read_bytes()
    payload, opened = work / "stream-payload", work / "stream-opened"

    def seal():
        with open(plain, "rb") as source, open(payload, "wb") as sink:
            envelope.seal_stream(key, source, sink, aad)

    def unseal():
        with open(payload, "rb") as source, open(opened, "wb") as sink:
            envelope.open_stream(key, source, sink, aad)
    seconds = {}

    def raw():
        seconds["raw_encrypt"], sealed = _timed(lambda: aesgcm(key).encrypt(iv, data, aad))
        seconds["raw_decrypt"], dummy = _timed(lambda: aesgcm(key).decrypt(iv, sealed, aad))

    def stream():
        seconds["stream_encrypt"], dummy = _timed(seal)
        seconds["stream_decrypt"], dummy = _timed(unseal)
    for step in (raw, stream) if raw_first else (stream, raw):
        step()
    if opened.stat().st_size != len(data):
        raise RuntimeError("open_stream did not give the file back")
    return seconds["raw_encrypt"], seconds["stream_encrypt"], seconds["raw_decrypt"], seconds["stream_decrypt"]


def scenario_throughput(bench, collections_path):
    """_envelope's streaming functions against raw AESGCM, in this process, on the largest file."""
    sys.path.insert(0, collections_path)
    try:
        from ansible_collections.scwkms.key_manager.plugins.module_utils import _envelope
    finally:
        sys.path.remove(collections_path)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    size = max(sizes(bench.options))
    plain = plain_file(bench, size)
    for number in range(ROUNDS):
        # Which side goes first alternates, so that neither always meets a cold cache.
        raw_e, stream_e, raw_d, stream_d = stream_round(_envelope, AESGCM, plain, bench.work, number % 2 == 0)
        bench.record("stream_throughput", size=size, raw_encrypt_s=raw_e, stream_encrypt_s=stream_e,
                     raw_decrypt_s=raw_d, stream_decrypt_s=stream_d, encrypt_ratio=raw_e / stream_e,
                     decrypt_ratio=raw_d / stream_d)


def scenario(bench, shim_source, collections_path):
    """Every encryption scenario once, on a fresh key (bench.py calls it once, after its own scenarios)."""
    key_id = bench.create_key("bench-encryption")["id"]
    scenario_direct(bench, key_id)
    scenario_envelopes(bench, key_id)
    scenario_throughput(bench, collections_path)
    if not bench.samples.get("envelope_memory"):
        scenario_memory(bench, key_id, shim_source)


# -- summary and report -------------------------------------------------------------------------------

def _median(samples, field):
    values = [sample[field] for sample in samples if sample.get(field) is not None]
    return statistics.median(values) if values else None


def summarize(samples, options):
    """The encryption part of benchmarks.json; None when these scenarios did not run."""
    if not samples.get("encrypt_direct"):
        return None
    direct = dict((name, {"task_median": _median(samples[name], "task_median"),
                          "requests_per_task": _median(samples[name], "requests_per_task")})
                  for name in ("encrypt_direct", "decrypt_direct"))
    envelopes = dict((str(size), {"size": size, "encrypt_s": _median(samples["envelope_%d" % size], "encrypt_s"),
                                  "decrypt_s": _median(samples["envelope_%d" % size], "decrypt_s"),
                                  "requests": _median(samples["envelope_%d" % size], "requests")})
                     for size in sizes(options))
    stream = samples["stream_throughput"]
    # Best of the rounds: other work on a shared machine only ever slows a round down.
    throughput = dict((field, min(sample[field] for sample in stream)) for field in stream[0] if field.endswith("_s"))
    throughput.update(size=stream[0]["size"], encrypt_ratios=[sample["encrypt_ratio"] for sample in stream],
                      decrypt_ratios=[sample["decrypt_ratio"] for sample in stream],
                      encrypt_ratio=throughput["raw_encrypt_s"] / throughput["stream_encrypt_s"],
                      decrypt_ratio=throughput["raw_decrypt_s"] / throughput["stream_decrypt_s"])
    memory = samples["envelope_memory"][-1]
    largest = envelopes[str(throughput["size"])]
    for operation in ("encrypt", "decrypt"):
        throughput["module_%s_ratio" % operation] = throughput["raw_%s_s" % operation] / largest["%s_s" % operation]
    checks = {
        "direct_requests": (all(row["requests_per_task"] == 1 for row in direct.values()), ", ".join(
            "%s %g" % (name.split("_")[0], row["requests_per_task"]) for name, row in direct.items())),
        # Each envelope play runs one encrypt and one decrypt task.
        "envelope_requests": (all(row["requests"] == 2 for row in envelopes.values()), ", ".join(
            "%s: %s" % (label(row["size"]), _pair(row["requests"])) for row in envelopes.values())),
        "stream_throughput": (min(throughput["encrypt_ratio"], throughput["decrypt_ratio"]) >= 0.5,
                              "encrypt %.0f%%, decrypt %.0f%% of raw AESGCM" % (
                                  throughput["encrypt_ratio"] * 100, throughput["decrypt_ratio"] * 100)),
        "envelope_memory": (bool(memory["peak_mb"]) and max(memory["peak_mb"].values()) < memory["limit_mb"],
                            ", ".join("%s %.1f MB" % (name, value) for name, value in sorted(memory["peak_mb"].items()))
                            + " (limit %.0f MB)" % memory["limit_mb"]),
    }
    return {"direct": direct, "envelopes": envelopes, "throughput": throughput, "memory": memory,
            "checks": dict((name, {"met": bool(met), "measured": text, "target": TARGETS[name]})
                           for name, (met, text) in checks.items())}


def _ms(seconds):
    return "-" if seconds is None else "%.0f ms" % (seconds * 1000)


def _pair(requests):
    return "1 + 1" if requests == 2 else "**not one per task**"


def _percent(ratio):
    return "-" if ratio is None else "%.0f%%" % (ratio * 100)


def _rate(size, seconds):
    return "-" if not seconds else "%.0f MB/s" % (size / MIB / seconds)


def render(summary):
    """The report's encryption section (lines), or nothing when these scenarios did not run."""
    part = summary.get("encryption")
    if not part:
        return []
    lines = ["", "## Encryption: scwkms_encrypt and scwkms_decrypt", "",
             "Key by id, plus `algorithm: %s` for `scwkms_encrypt`, so no task reads the key. Request counts from the emulator's log; "
             "times from the same callback as above (one run: `--runs` applies to the other scenarios).%s" % (
                 ALGORITHM, " This section was generated by `%s` on %s, apart from the rest of this page; load "
                 "average (1 min) when it ended: %.2f." % (part["command"], part["date"], part["load"])
                 if part.get("command") else ""),
             "", "| target | measured | met |", "|---|---|---|"]
    for check in part["checks"].values():
        lines.append("| %s | %s | %s |" % (check["target"], check["measured"], "yes" if check["met"] else "**no**"))
    lines += ["", "| task | time per task (median) | requests per task |", "|---|--:|--:|"]
    for name, row in part["direct"].items():
        lines.append("| `scwkms_%s`, direct, short text | %s | %g |" % (
            name.split("_")[0], _ms(row["task_median"]), row["requests_per_task"]))
    lines += ["", "Envelopes (`envelope: always`, `path` to `dest`): one play of %d rounds, each an encrypt task and a "
              "decrypt task of every size in turn, each pair on files of its own, every file compared afterwards; "
              "medians. The request log must read encrypt, decrypt, encrypt, ... in task order." % ROUNDS_E2E, "",
              "| file | encrypt task | decrypt task | requests (encrypt + decrypt) |", "|---|--:|--:|--:|"]
    for row in part["envelopes"].values():
        lines.append("| %s | %s | %s | %s |" % (
            label(row["size"]), _ms(row["encrypt_s"]), _ms(row["decrypt_s"]), _pair(row["requests"])))
    return lines + _throughput_lines(part)


def _throughput_lines(part):
    return ["", _stream_paragraph(part["throughput"]), "", _module_paragraph(part)]


def _stream_paragraph(t):
    text = ("Throughput over %s, in this process: `_envelope.seal_stream` (file to file, 1 MiB chunks, as the module "
            "runs it) against `AESGCM.encrypt` of the same bytes in memory, then `open_stream` against "
            "`AESGCM.decrypt`; best of %d rounds (other work on the machine only ever slows a round down): encrypt "
            "%s, decrypt %s of raw AESGCM's rate. Within each round: encrypt %s, decrypt %s." % (
                label(t["size"]), len(t["encrypt_ratios"]), _percent(t["encrypt_ratio"]), _percent(t["decrypt_ratio"]),
                ", ".join(map(_percent, t["encrypt_ratios"])), ", ".join(map(_percent, t["decrypt_ratios"]))))
    if min(t["encrypt_ratio"], t["decrypt_ratio"]) > 1:
        text += (" Above 100%%, likely because the one-shot call fills a fresh %s buffer while the stream reuses "
                 "chunks that stay in the CPU's cache." % label(t["size"]))
    return text


def _module_paragraph(part):
    t, m = part["throughput"], part["memory"]
    smallest = part["envelopes"][str(min(int(size) for size in part["envelopes"]))]
    largest = part["envelopes"][str(t["size"])]
    return ("End to end, the %s module tasks ran at %s (encrypt) and %s (decrypt), %s and %s of raw AESGCM's rate: a "
            "task is mostly Ansible's fixed cost (the %s tasks took %s and %s). Peak memory of the module process on "
            "the %s file: %s, against a limit of %.0f MB (3 x the file)." % (
                label(t["size"]), _rate(t["size"], largest["encrypt_s"]), _rate(t["size"], largest["decrypt_s"]),
                _percent(t["module_encrypt_ratio"]), _percent(t["module_decrypt_ratio"]), label(smallest["size"]),
                _ms(smallest["encrypt_s"]), _ms(smallest["decrypt_s"]), label(t["size"]),
                ", ".join("`%s` %.1f MB" % item for item in sorted(m["peak_mb"].items())), m["limit_mb"]))


def standalone(output, bench, options, command):
    """--encryption-only: this run's section replaces the encryption section of benchmarks.md (or is appended
    to it) and the "encryption" entry of benchmarks.json; the rest of both files is left as it was."""
    part = dict(summarize(bench.samples, options), command=command, load=os.getloadavg()[0],
                date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    section = render({"encryption": part})
    print("\n".join(section), flush=True)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    data = output / "benchmarks.json"
    summary = json.loads(data.read_text()) if data.exists() else {}
    summary["encryption"] = part
    data.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    report = output / "benchmarks.md"
    lines = report.read_text().splitlines() if report.exists() else ["# Benchmarks"]
    report.write_text("\n".join(replace_section(lines, section)) + "\n")
    return 0


def replace_section(lines, section):
    """The report's lines with `section` (a blank line, its "## " heading, its body) in place of the section of
    the same heading, up to the next "## " heading; appended when the report has none."""
    heading = section[1]
    if heading not in lines:
        return lines + section
    start = lines.index(heading) - 1
    after = [number for number in range(start + 2, len(lines)) if lines[number].startswith("## ")]
    return lines[:start] + section + (lines[after[0] - 1:] if after else [])
