# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The vars plugin's benchmark target reads its own samples among every scenario's."""

from __future__ import annotations

from tools import bench_vars


def test_the_target_reads_only_the_vars_samples_whatever_other_scenarios_are_named():
    samples = {
        'ping': [{'wall': 1.0}],
        'vault_client_start': [{'wall': 0.1}],
        'vars_100': [{'hosts': 100, 'files': 3, 'decrypts': 3}],
        'vars_1': [{'hosts': 1, 'files': 3, 'decrypts': 3}],
    }
    assert [run['hosts'] for run in bench_vars.runs(samples)] == [1, 100]
    assert bench_vars.check(samples) == (True, '1 hosts: 3 decrypts for 3 files, 100 hosts: 3 decrypts for 3 files')


def test_a_host_count_with_more_decrypts_than_files_misses_the_target():
    samples = {'vars_1': [{'hosts': 1, 'files': 3, 'decrypts': 3}], 'vars_100': [{'hosts': 100, 'files': 3, 'decrypts': 4}]}
    assert bench_vars.check(samples)[0] is False
