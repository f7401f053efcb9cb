# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The documentation site's sources hold together: every guide is in the site's table of contents, shows the
playbooks its tests run, and the troubleshooting guide names every error the collection raises."""

from __future__ import annotations

import ast
import os
import pathlib
import re

import pytest
import yaml

COLLECTION_ROOT = pathlib.Path(os.path.abspath(__file__)).parents[3]
DOCSITE = COLLECTION_ROOT / 'docs' / 'docsite'
RST = DOCSITE / 'rst'
EXAMPLES = DOCSITE / 'examples'
LABEL_PREFIX = 'ansible_collections.scwkms.key_manager.docsite.'
INCLUDE = re.compile(r'^\.\. literalinclude:: (\S+)', re.MULTILINE)
STEP = re.compile(r'^\d\d-[\w.-]+\.(yml|sh)$')
ERROR_BASES = {'UserError', 'KeyManagerError'}
# The error types the client makes up for answers that carry none of the API's (see _calls, _transport, _wire,
# _lost_create); the API's own types are documented from Scaleway's.
CLIENT_ERROR_TYPES = ('redirect', 'malformed_response', 'outcome_unknown', 'rate_limited')


def guides():
    return sorted(path.stem for path in RST.glob('*.rst'))


def toctree_entries():
    sections = yaml.safe_load((DOCSITE / 'extra-docs.yml').read_text(encoding='utf-8'))['sections']
    return [entry for section in sections for entry in section['toctree']]


def test_every_guide_is_in_the_table_of_contents_once():
    entries = toctree_entries()
    assert len(entries) == len(set(entries)), 'extra-docs.yml lists a guide twice: %s' % entries
    assert sorted(entries) == guides(), 'docs/docsite/extra-docs.yml and docs/docsite/rst/*.rst disagree'


@pytest.mark.parametrize('guide', guides())
def test_a_guide_starts_with_its_label(guide):
    text = (RST / ('%s.rst' % guide)).read_text(encoding='utf-8')
    assert '.. _%s%s:' % (LABEL_PREFIX, guide) in text


@pytest.mark.parametrize('guide', guides())
def test_a_guide_shows_files_that_exist_and_every_step_its_test_runs(guide):
    shown = INCLUDE.findall((RST / ('%s.rst' % guide)).read_text(encoding='utf-8'))
    missing = [path for path in shown if not (RST / path).resolve().is_file()]
    assert not missing, '%s includes files that do not exist: %s' % (guide, missing)
    directory = EXAMPLES / guide
    steps = sorted(path.name for path in directory.iterdir() if STEP.match(path.name)) if directory.is_dir() else []
    unshown = [step for step in steps if '../examples/%s/%s' % (guide, step) not in shown]
    assert not unshown, '%s runs steps it does not show: %s' % (guide, unshown)


def error_classes():
    """Public exception classes of plugins/ that derive from UserError or KeyManagerError."""
    bases = {}
    for path in (COLLECTION_ROOT / 'plugins').rglob('*.py'):
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            if isinstance(node, ast.ClassDef):
                names = [base.attr if isinstance(base, ast.Attribute) else getattr(base, 'id', '') for base in node.bases]
                bases.setdefault(node.name, set()).update(names)

    def derives(name, seen=()):
        return name in ERROR_BASES or any(derives(base, seen + (name,)) for base in bases.get(name, ()) if base not in seen)

    return sorted(name for name in bases if not name.startswith('_') and derives(name))


def test_troubleshooting_names_every_error_class_and_client_error_type():
    text = (RST / 'guide_troubleshooting.rst').read_text(encoding='utf-8')
    classes = error_classes()
    assert 'KeyRefError' in classes and 'KeyManagerError' in classes
    undocumented = [name for name in classes + list(CLIENT_ERROR_TYPES) if '``%s``' % name not in text]
    assert not undocumented, 'guide_troubleshooting.rst does not explain: %s' % undocumented


def test_the_client_error_types_are_still_the_client_s():
    code = '\n'.join(path.read_text(encoding='utf-8') for path in (COLLECTION_ROOT / 'plugins').rglob('*.py'))
    assert all("'%s'" % name in code for name in CLIENT_ERROR_TYPES)
