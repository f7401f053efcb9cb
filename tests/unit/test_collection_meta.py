# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's metadata agrees with its content: galaxy.yml, meta/, the sanity ignore files."""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml

COLLECTION_ROOT = pathlib.Path(__file__).resolve().parents[2]
MODULES = COLLECTION_ROOT / 'plugins' / 'modules'


def load_yaml(relative_path):
    with open(COLLECTION_ROOT / relative_path, encoding='utf-8') as stream:
        return yaml.safe_load(stream)


def module_names():
    return sorted(path.stem for path in MODULES.glob('*.py') if path.stem != '__init__')


def requirement_names(relative_path):
    """Package names of a pip requirements file, without versions, options and comments."""
    lines = (COLLECTION_ROOT / relative_path).read_text(encoding='utf-8').splitlines()
    names = (re.split(r'[\s<>=!~;\[]', line.strip(), maxsplit=1)[0] for line in lines)
    return {name.lower() for name in names if name and not name.startswith(('#', '-'))}


def test_action_group_lists_every_module_and_nothing_else():
    group = load_yaml('meta/runtime.yml')['action_groups']['scwkms']
    assert len(group) == len(set(group)), 'a module is listed twice in the scwkms action group'
    missing = sorted(set(module_names()) - set(group))
    unknown = sorted(set(group) - set(module_names()))
    assert not missing, 'modules missing from action group scwkms in meta/runtime.yml: %s' % missing
    assert not unknown, 'action group scwkms names modules that plugins/modules lacks: %s' % unknown


def test_runtime_requires_ansible_2_16():
    assert load_yaml('meta/runtime.yml')['requires_ansible'] == '>=2.16.0'


def test_galaxy_identity_matches_the_collection_path_and_first_release():
    galaxy = load_yaml('galaxy.yml')
    assert (galaxy['namespace'], galaxy['name']) == ('scwkms', 'key_manager')
    # Which version: tests/unit/docs/test_release.py (the next one after the latest release in the changelog).
    assert re.match(r'^\d+\.\d+\.\d+$', galaxy['version'])
    assert galaxy['license'] == ['GPL-3.0-or-later']
    assert galaxy['tags'] and all(re.match(r'^[a-z0-9_]+$', tag) for tag in galaxy['tags'])
    for link in ('repository', 'documentation', 'issues'):
        assert galaxy[link].startswith('https://')


@pytest.mark.parametrize('ignored', ['.build', '.venv', 'tests/output', '.pytest_cache', '*.egg-info'])
def test_galaxy_build_ignores_harness_output(ignored):
    assert ignored in load_yaml('galaxy.yml')['build_ignore']


def test_sanity_ignore_files_are_empty():
    # The collection review rules: fix what sanity finds, do not ignore it.
    for path in sorted((COLLECTION_ROOT / 'tests' / 'sanity').glob('ignore-*.txt')):
        entries = [line for line in path.read_text(encoding='utf-8').splitlines() if line.strip()]
        assert not entries, '%s must stay empty, found: %s' % (path.name, entries)


def test_execution_environment_declares_the_modules_python_requirements():
    definition = load_yaml('meta/execution-environment.yml')
    python_requirements = definition['dependencies']['python']
    assert requirement_names(python_requirements) == {'requests', 'cryptography'}
    # The development venv must have what the modules need, or tests would pass on a lucky machine.
    assert requirement_names(python_requirements) <= requirement_names('requirements-dev.txt')
