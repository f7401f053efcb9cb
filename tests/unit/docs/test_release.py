# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Release hygiene: the changelog is antsibull-changelog's, up to date, and the work in progress sits under the
next version; the built collection holds only what users need."""

from __future__ import annotations

import ast
import fnmatch
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile

import yaml

from tools import docs
from tools.collection_copy import files_git_would_commit

COLLECTION_ROOT = pathlib.Path(os.path.abspath(__file__)).parents[3]
BIN = os.path.dirname(sys.executable)

# What a user of the installed collection needs (fnmatch: `*` also matches `/`).
TARBALL_ALLOWED = (
    'MANIFEST.json', 'FILES.json', 'README.md', 'LICENSE', 'CHANGELOG.rst',
    'changelogs/changelog.yaml', 'changelogs/config.yaml', 'changelogs/fragments/*',
    'meta/*', 'plugins/*', 'roles/*', 'playbooks/*',
    'docs/docsite/*', 'docs/emulator.md',
    'tests/emulator/*',  # the emulator package, for the users' CI (README)
    'scripts/*', 'extensions/*',
)
TARBALL_FORBIDDEN = ('tests/emulator/tests/*', '*/__pycache__/*', '*.pyc', '*.egg-info/*')
TARBALL_REQUIRED = ('plugins/modules/scwkms_key.py', 'meta/runtime.yml', 'tests/emulator/pyproject.toml',
                    'tests/emulator/scwkms_emulator/__main__.py', 'docs/docsite/extra-docs.yml', 'CHANGELOG.rst')


def tool(name):
    return os.path.join(BIN, name)


def version_tuple(version):
    return tuple(int(part) for part in str(version).split('.'))


def test_antsibull_changelog_lint_passes():
    for command in (['lint'], ['lint-changelog-yaml', 'changelogs/changelog.yaml']):
        result = subprocess.run([tool('antsibull-changelog'), *command], cwd=COLLECTION_ROOT, capture_output=True,
                                text=True, check=False)
        assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_changelog_is_generated_from_the_fragments(tmp_path):
    generated = tmp_path / 'CHANGELOG.rst'
    assert docs.render_changelog(COLLECTION_ROOT, generated) == 0
    committed = (COLLECTION_ROOT / 'CHANGELOG.rst').read_text(encoding='utf-8')
    assert committed == generated.read_text(encoding='utf-8'), 'CHANGELOG.rst is stale: run `make changelog`'


def test_the_first_release_is_released_and_new_work_is_under_the_next_version():
    releases = yaml.safe_load((COLLECTION_ROOT / 'changelogs' / 'changelog.yaml').read_text(encoding='utf-8'))
    released = sorted(releases['releases'], key=version_tuple)
    assert released[0] == '0.1.0' and releases['releases']['0.1.0']['changes']['release_summary']
    galaxy = docs.galaxy_version(COLLECTION_ROOT)
    if docs.pending_fragments(COLLECTION_ROOT):
        # Pending fragments become the release galaxy.yml names: it must be a version not released yet.
        assert version_tuple(galaxy) > version_tuple(released[-1]), (galaxy, released[-1])
    else:
        assert version_tuple(galaxy) >= version_tuple(released[-1]), (galaxy, released[-1])


def plugin_versions_added():
    """{(plugin type, name): version_added} of the modules and plugins in plugins/."""
    found = {}
    for path in sorted((COLLECTION_ROOT / 'plugins').glob('*/*.py')):
        if path.parent.name in ('module_utils', 'plugin_utils', 'doc_fragments') or path.stem == '__init__':
            continue
        for node in ast.parse(path.read_text(encoding='utf-8')).body:
            if isinstance(node, ast.Assign) and [getattr(t, 'id', None) for t in node.targets] == ['DOCUMENTATION']:
                found[(path.parent.name, path.stem)] = str(yaml.safe_load(node.value.value).get('version_added'))
    return found


def released_plugins():
    """{(plugin type, name): version} of the plugins the changelog says each release added."""
    releases = yaml.safe_load((COLLECTION_ROOT / 'changelogs' / 'changelog.yaml').read_text(encoding='utf-8'))
    added = {}
    for version, release in releases['releases'].items():
        for module in release.get('modules', []):
            added[('modules', module['name'])] = str(version)
        for kind, plugins in release.get('plugins', {}).items():
            added.update({(kind, plugin['name']): str(version) for plugin in plugins})
    return added


def test_version_added_is_the_release_that_added_the_plugin():
    # A plugin no release has added yet is new in the next release, galaxy.yml's version; antsibull-changelog
    # lists it as new in that release only when version_added says so.
    released, galaxy = released_plugins(), docs.galaxy_version(COLLECTION_ROOT)
    wrong = {plugin: (version, released.get(plugin, galaxy)) for plugin, version in plugin_versions_added().items()
             if version != released.get(plugin, galaxy)}
    assert not wrong, 'version_added (found, expected): %s' % wrong


def test_changelog_marks_the_next_version_unreleased():
    text = (COLLECTION_ROOT / 'CHANGELOG.rst').read_text(encoding='utf-8')
    if docs.pending_fragments(COLLECTION_ROOT):
        assert 'v%s (unreleased)' % docs.galaxy_version(COLLECTION_ROOT) in text
    assert '\nv0.1.0\n======\n' in text


def matches(name, patterns):
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def built_members(tmp_path):
    """The files of the tarball `ansible-galaxy collection build` makes from what git would commit."""
    source = tmp_path / 'ansible_collections' / 'scwkms' / 'key_manager'
    for relative in files_git_would_commit():
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(COLLECTION_ROOT / relative, source / relative)
    result = subprocess.run([tool('ansible-galaxy'), 'collection', 'build', '--output-path', str(tmp_path)],
                            cwd=source, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    (tarball,) = tmp_path.glob('scwkms-key_manager-*.tar.gz')
    with tarfile.open(tarball) as archive:
        return sorted(member.name for member in archive.getmembers() if member.isfile())


def test_the_built_collection_holds_only_what_users_need(tmp_path):
    members = built_members(tmp_path)
    unexpected = [name for name in members if not matches(name, TARBALL_ALLOWED) or matches(name, TARBALL_FORBIDDEN)]
    assert not unexpected, 'files users do not need in the tarball (galaxy.yml build_ignore): %s' % unexpected
    missing = [name for name in TARBALL_REQUIRED if name not in members]
    assert not missing, 'the tarball lacks %s' % missing
