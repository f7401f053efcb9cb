# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""tools/bench_encryption.py: the targets it judges from samples, and the report section it replaces.

``tools`` is imported from the repository root, which `make units` puts on PYTHONPATH."""

from __future__ import annotations

import types

from tools import bench_encryption

MIB = bench_encryption.MIB
OPTIONS = types.SimpleNamespace(encryption_mib=64)


def samples(requests=2, peak_mb=44.0, stream_s=0.05, per_task=1.0):
    """What one encryption run records, with the figures that decide the targets."""
    result = dict((name, [{"task_median": 0.4, "requests_per_task": per_task}])
                  for name in ("encrypt_direct", "decrypt_direct"))
    for size in bench_encryption.sizes(OPTIONS):
        result["envelope_%d" % size] = [{"size": size, "encrypt_s": 0.5, "decrypt_s": 0.5, "requests": requests}]
    result["stream_throughput"] = [{"size": 64 * MIB, "raw_encrypt_s": 0.04, "stream_encrypt_s": stream_s,
                                    "raw_decrypt_s": 0.04, "stream_decrypt_s": stream_s,
                                    "encrypt_ratio": 0.04 / stream_s, "decrypt_ratio": 0.04 / stream_s}] * 3
    result["envelope_memory"] = [{"size": 64 * MIB, "limit_mb": 192.0,
                                  "peak_mb": {"scwkms_encrypt": peak_mb, "scwkms_decrypt": peak_mb}}]
    return result


def met(summary):
    return dict((name, check["met"]) for name, check in summary["checks"].items())


def test_targets_met():
    summary = bench_encryption.summarize(samples(), OPTIONS)
    assert met(summary) == dict.fromkeys(bench_encryption.TARGETS, True)
    assert bench_encryption.sizes(OPTIONS) == [1024, MIB, 64 * MIB]


def test_each_target_can_be_missed():
    assert not met(bench_encryption.summarize(samples(per_task=2), OPTIONS))["direct_requests"]
    # None: the request log did not read encrypt, decrypt, ... in task order.
    assert not met(bench_encryption.summarize(samples(requests=None), OPTIONS))["envelope_requests"]
    assert not met(bench_encryption.summarize(samples(stream_s=0.09), OPTIONS))["stream_throughput"]
    assert not met(bench_encryption.summarize(samples(peak_mb=200.0), OPTIONS))["envelope_memory"]
    assert bench_encryption.summarize({}, OPTIONS) is None
    assert not bench_encryption.render({"encryption": None})


def test_the_section_is_rendered_with_every_figure():
    section = bench_encryption.render({"encryption": bench_encryption.summarize(samples(peak_mb=200.0), OPTIONS)})
    text = "\n".join(section)
    assert section[:2] == ["", "## Encryption: scwkms_encrypt and scwkms_decrypt"]
    assert "| 64 MiB | 500 ms | 500 ms | 1 + 1 |" in text
    assert "module tasks ran at 128 MB/s (encrypt) and 128 MB/s (decrypt), 8% and 8% of raw AESGCM's rate" in text
    assert "best of 3 rounds (other work on the machine only ever slows a round down): encrypt 80%, decrypt 80%" in text
    assert "Within each round: encrypt 80%, 80%, 80%, decrypt 80%, 80%, 80%." in text
    assert "| scwkms_decrypt 200.0 MB, scwkms_encrypt 200.0 MB (limit 192 MB) | **no** |" in text


def test_the_section_replaces_its_own_and_nothing_else():
    section = ["", "## Encryption: scwkms_encrypt and scwkms_decrypt", "", "new"]
    report = ["# Benchmarks", "", "## Targets", "t", "", "## Encryption: scwkms_encrypt and scwkms_decrypt", "",
              "old", "old too", "", "## Later notes", "kept"]
    replaced = bench_encryption.replace_section(report, section)
    assert replaced == report[:4] + section + ["", "## Later notes", "kept"]
    assert bench_encryption.replace_section(report[:4], section) == report[:4] + section
    assert bench_encryption.replace_section(replaced, section) == replaced
