# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every playbook a guide shows runs, and asserts what it demonstrates.

Each directory docs/docsite/examples/<guide>/ is one test: its NN-*.yml (ansible-playbook) and NN-*.sh
(bash -eu) files run in name order against ONE fresh emulator, on localhost, with the connection settings
only in the environment (SCW_API_URL, SCW_ACCESS_KEY, SCW_SECRET_KEY, SCW_DEFAULT_PROJECT_ID,
SCW_DEFAULT_REGION, SCW_DEFAULT_ORGANIZATION_ID), this tree (the harness's copy) on ANSIBLE_COLLECTIONS_PATH
and the venv's bin first on PATH. An optional file named `inventory` is passed with -i to every playbook of the directory.
The working directory is a copy of the guide's directory, so what the examples write (public keys,
signatures, vars files) never lands in the source tree. A new directory is picked up with no change here.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
import time
import uuid

import pytest
from scwkms_emulator.testing import running_emulator

from tools.collection_copy import collections_path

COLLECTION_ROOT = pathlib.Path(os.path.abspath(__file__)).parents[3]
EXAMPLES = COLLECTION_ROOT / 'docs' / 'docsite' / 'examples'
STEP = re.compile(r'^\d\d-[\w.-]+\.(yml|sh)$')
STEP_TIMEOUT = 300  # seconds; a hung step fails its guide instead of the whole run
SHOWN_OUTPUT = 6000  # characters of a failed step's output kept in the report


def guide_directories():
    return sorted(path for path in EXAMPLES.iterdir() if path.is_dir()) if EXAMPLES.is_dir() else []


def steps_of(directory):
    return sorted(path.name for path in directory.iterdir() if STEP.match(path.name))


def example_environment(api_url, tmp_path):
    environment = {name: value for name, value in os.environ.items() if not name.startswith(('SCW_', 'ANSIBLE_'))}
    environment.update(
        PATH=os.pathsep.join([os.path.dirname(sys.executable), environment.get('PATH', '')]),
        # The harness's copy of this tree (synced before pytest runs), as for every other unit test.
        ANSIBLE_COLLECTIONS_PATH=collections_path(),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-tmp'),
        ANSIBLE_NOCOLOR='1',
        SCW_API_URL=api_url,
        SCW_ACCESS_KEY='SCW' + uuid.uuid4().hex[:17].upper(),
        SCW_SECRET_KEY=str(uuid.uuid4()),
        SCW_DEFAULT_PROJECT_ID=str(uuid.uuid4()),
        SCW_DEFAULT_ORGANIZATION_ID=str(uuid.uuid4()),
        SCW_DEFAULT_REGION='fr-par',
        # No scw config file of the machine that runs the tests may fill in a setting (a missing default
        # file is not an error, a missing SCW_CONFIG_PATH is).
        XDG_CONFIG_HOME=str(tmp_path / 'xdg-config'),
    )
    return environment


def command_for(step, workdir):
    if step.endswith('.sh'):
        return ['bash', '-eu', step]
    inventory = ['-i', 'inventory'] if (workdir / 'inventory').is_file() else []
    return ['ansible-playbook', *inventory, step]


def run_step(step, workdir, environment):
    started = time.monotonic()
    result = subprocess.run(command_for(step, workdir), cwd=workdir, env=environment, capture_output=True,
                            text=True, timeout=STEP_TIMEOUT, check=False)
    print('%s/%s: %.1f s' % (workdir.name, step, time.monotonic() - started))
    output = (result.stdout + result.stderr)[-SHOWN_OUTPUT:]
    assert result.returncode == 0, '%s/%s exited %d:\n%s' % (workdir.name, step, result.returncode, output)


def test_the_guides_have_examples():
    assert guide_directories(), 'no example directory under %s' % EXAMPLES


@pytest.mark.parametrize('directory', guide_directories(), ids=lambda path: path.name)
def test_guide_examples_run_against_the_emulator(directory, tmp_path):
    steps = steps_of(directory)
    assert steps, '%s holds no NN-name.yml or NN-name.sh file' % directory
    workdir = tmp_path / directory.name
    shutil.copytree(directory, workdir)
    with running_emulator() as emulator:
        environment = example_environment(emulator.url, tmp_path)
        for step in steps:
            run_step(step, workdir, environment)
