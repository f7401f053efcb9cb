# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""tools/docs.py: the docs lint sees the collection, and fails on a broken reference."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

from tools import docs
from tools.collection_copy import files_git_would_commit

COLLECTION_ROOT = pathlib.Path(os.path.abspath(__file__)).parents[3]
BROKEN = 'See M(scwkms.key_manager.no_such_module).'


def test_the_lint_reads_a_tree_git_lists():
    # antsibull-docs copies a collection inside a git work tree with `git ls-files`: run on the git-ignored
    # collection copy (.build/), it saw no plugin at all and passed whatever the docs said.
    target = pathlib.Path(docs.lint_command(docs.REPO_ROOT)[-1])
    ignored = subprocess.run(['git', 'check-ignore', '-q', str(target)], cwd=COLLECTION_ROOT, check=False)
    assert ignored.returncode == 1, '%s is git-ignored' % target


def test_the_lint_fails_on_a_broken_plugin_reference(tmp_path):
    copy = tmp_path / 'collection'
    for relative in files_git_would_commit():
        (copy / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(COLLECTION_ROOT / relative, copy / relative)
    module = copy / 'plugins' / 'modules' / 'scwkms_key_info.py'
    text = module.read_text(encoding='utf-8')
    module.write_text(text.replace('description:\n  - ', 'description:\n  - %s ' % BROKEN, 1), encoding='utf-8')
    result = subprocess.run(docs.lint_command(copy), cwd=copy, capture_output=True, text=True, check=False,
                            env=dict(os.environ, PATH=os.pathsep.join([str(docs.REPO_ROOT / '.venv' / 'bin'),
                                                                       os.environ.get('PATH', '')])))
    assert result.returncode != 0 and 'no_such_module' in result.stdout, result.stdout + result.stderr
