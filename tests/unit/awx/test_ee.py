# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`make ee` (tools/ee.py) and the README's recipe both give an ansible-builder context holding the
collection tarball built from this tree, its Python requirements and a named base image."""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess
import sys
import textwrap

import yaml

from tools import ee
from tools.collection_copy import files_git_would_commit
from tools.paths import REPO_ROOT

COLLECTION = pathlib.Path(__file__).resolve().parents[3]
README_SECTION = '## Running from AWX or Automation Controller'
VENV_BIN = pathlib.Path(sys.executable).parent


def check_context(context, base_image):
    tarball = 'scwkms-key_manager-%s.tar.gz' % ee.collection_version()
    containerfile = (context / 'Containerfile').read_text(encoding='utf-8')
    assert 'ARG EE_BASE_IMAGE="%s"' % base_image in containerfile
    assert 'ansible-galaxy collection install' in containerfile
    assert (context / '_build' / 'collections' / tarball).stat().st_size > 10000
    galaxy = yaml.safe_load((context / '_build' / 'requirements.yml').read_text(encoding='utf-8'))
    assert galaxy == {'collections': [{'name': '/build/collections/' + tarball, 'type': 'file'}]}
    python = (context / '_build' / 'requirements.txt').read_text(encoding='utf-8').split()
    assert {'requests', 'cryptography'} <= set(python)


def test_make_ee_writes_a_context_with_the_local_tarball(tmp_path, capsys):
    assert ee.main('--output', str(tmp_path / 'ee'), '--base-image', 'example.test/base:1', '--tag', 'my-ee:1') == 0
    check_context(tmp_path / 'ee' / 'context', 'example.test/base:1')
    printed = capsys.readouterr().out
    context = tmp_path / 'ee' / 'context'
    assert 'podman build -f %s/Containerfile -t my-ee:1 %s' % (context, context) in printed
    assert 'docker build -f %s/Containerfile -t my-ee:1 %s' % (context, context) in printed


def readme_section():
    text = (COLLECTION / 'README.md').read_text(encoding='utf-8')
    start = text.index(README_SECTION)
    end = text.index('\n## ', start + len(README_SECTION))
    return text[start:end]


def fenced_blocks(section, language):
    return [textwrap.dedent(block) for block in re.findall(r'```%s\n(.*?)```' % language, section, re.S)]


def collection_checkout(tmp_path):
    """A copy of the collection as a user's checkout would hold it (what git would commit)."""
    checkout = tmp_path / 'checkout'
    for relative in files_git_would_commit():
        (checkout / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / relative, checkout / relative)
    return checkout


def test_the_readme_recipe_builds_the_same_context(tmp_path):
    script = fenced_blocks(readme_section(), 'bash')[0]
    image_lines = [line for line in script.splitlines() if line.startswith(('podman ', 'docker '))]
    assert image_lines[0].startswith('podman build -f context/Containerfile ') and image_lines[0].endswith(' context')
    runnable = '\n'.join(line for line in script.splitlines() if line not in image_lines)
    checkout = collection_checkout(tmp_path)
    environ = {'PATH': '%s:/usr/bin:/bin' % VENV_BIN, 'HOME': str(tmp_path)}
    subprocess.run(['bash', '-eu', '-c', runnable], cwd=checkout, env=environ, check=True)
    check_context(checkout / 'ee' / 'context', ee.BASE_IMAGE)
    assert json.loads(json.dumps(ee.definition('x', 'y')))['version'] == 3


def test_the_readme_ways_to_create_the_credential_type_match_the_shipped_one(tmp_path):
    section = readme_section()
    definition = yaml.safe_load((COLLECTION / 'extensions/awx/credential_types/scwkms.yml').read_text(encoding='utf-8'))
    cli = fenced_blocks(section, 'bash')[1]
    convert, create = cli.split('\n', 1)
    subprocess.run(['bash', '-eu', '-c', 'cd %s && %s' % (COLLECTION, convert.replace('open("scwkms-', 'open("%s/scwkms-' % tmp_path))],
                   env={'PATH': '%s:/usr/bin:/bin' % VENV_BIN}, check=True)
    for part in ('inputs', 'injectors'):
        assert json.loads((tmp_path / ('scwkms-%s.json' % part)).read_text(encoding='utf-8')) == definition[part]
        assert '--%s @scwkms-%s.json' % (part, part) in create
    assert "awx credential_types create --name 'Scaleway Key Manager' --kind cloud" in create
    playbook = fenced_blocks(section, 'yaml')[0]
    module = yaml.load(playbook.replace('!unsafe ', ''), Loader=yaml.SafeLoader)[0]['awx.awx.credential_type']
    for field in definition['inputs']['fields']:
        del field['help_text']  # the README leaves the help texts out
    assert {key: module[key] for key in ('name', 'kind', 'inputs', 'injectors')} == \
        {key: definition[key] for key in ('name', 'kind', 'inputs', 'injectors')}
    assert playbook.count("!unsafe '{{ ") == len(definition['injectors']['env'])
