# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scripts/scwkms-vars: the executable runs, and each command (in this process) does what it says."""

from __future__ import annotations

import io
import os
import pathlib
import stat
import subprocess
import sys

import pytest

from ansible_collections.scwkms.key_manager.plugins.plugin_utils import _vars_cli
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import (
    PROJECT, SECRET, api_calls, client_for, create_key,
)
from ansible_collections.scwkms.key_manager.tests.unit.plugins.vars.vars_support import read_vars_file

pytest.importorskip('scwkms_emulator')

SCRIPT = pathlib.Path(__file__).resolve().parents[4] / 'scripts' / 'scwkms-vars'
YAML = '# the database\ndb_password: Pa55-cli-secret\nport: 5432\n'


@pytest.fixture
def environment(km_emulator, monkeypatch, tmp_path):
    values = dict(SCW_API_URL=km_emulator.url, SCW_SECRET_KEY=SECRET, SCW_DEFAULT_PROJECT_ID=PROJECT,
                  HOME=str(tmp_path / 'home'))
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    for name in ('SCW_CONFIG_PATH', 'SCW_PROFILE', 'XDG_CONFIG_HOME'):
        monkeypatch.delenv(name, raising=False)
    create_key(km_emulator, 'aes_256_gcm', name='cli')
    km_emulator.clear_requests()
    return values


def cli(*argv, stdin=''):
    out, err = io.StringIO(), io.StringIO()
    status = _vars_cli.main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_encrypt_decrypt_show_keep_the_text_and_cost_what_is_documented(km_emulator, environment, tmp_path):
    path = str(tmp_path / 'db.scwkms')
    assert cli('encrypt', '--key', 'cli', path, stdin=YAML) == (0, '', '')
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert api_calls(km_emulator) == {'GET /keys': 1, 'POST /keys/{key_id}/encrypt': 1}
    km_emulator.clear_requests()
    assert cli('decrypt', path) == (0, YAML, '')
    assert api_calls(km_emulator) == {'POST /keys/{key_id}/decrypt': 1}
    status, out, _err = cli('show', path)
    assert status == 0 and out.startswith('scw-kms://regions/fr-par/keys/')
    assert read_vars_file(km_emulator, pathlib.Path(path)) == {'db_password': 'Pa55-cli-secret', 'port': 5432}


def test_edit_reencrypts_only_a_change(km_emulator, environment, tmp_path, monkeypatch):
    path = str(tmp_path / 'db.scwkms')
    cli('encrypt', '--key', 'cli', path, stdin=YAML)
    before = pathlib.Path(path).read_text()
    monkeypatch.setenv('EDITOR', 'true')
    assert cli('edit', path)[:2] == (0, 'scwkms-vars: %s unchanged\n' % path)
    assert pathlib.Path(path).read_text() == before
    monkeypatch.setenv('EDITOR', '%s -c "import sys; open(sys.argv[1], \'a\').write(\'new: 1\\n\')"' % sys.executable)
    assert cli('edit', path) == (0, '', '')
    assert cli('decrypt', path)[1] == YAML + 'new: 1\n'
    monkeypatch.setenv('EDITOR', '%s -c "import sys; open(sys.argv[1], \'w\').write(\'- Pa55\\n\')"' % sys.executable)
    status, _out, err = cli('edit', path)
    assert status == 1 and 'the edited YAML must be a YAML mapping' in err and 'Pa55' not in err
    assert cli('decrypt', path)[1] == YAML + 'new: 1\n'


def test_errors_name_the_file_and_never_a_value(km_emulator, environment, tmp_path, monkeypatch):
    path = str(tmp_path / 'db.scwkms')
    status, _out, err = cli('encrypt', '--key', 'cli', path, stdin='db_password: [Pa55-cli-secret\n')
    assert status == 1 and 'stdin: the YAML is not valid YAML at line 2' in err and 'Pa55' not in err
    assert not os.path.exists(path)
    cli('encrypt', '--key', 'cli', path, stdin=YAML)
    client_for(km_emulator).disable_key(client_for(km_emulator).list_keys(name='cli')[0]['id'])
    status, out, err = cli('decrypt', path)
    assert status == 1 and out == '' and path in err and 'disabled' in err and 'Pa55' not in err
    monkeypatch.delenv('SCW_SECRET_KEY')
    status, _out, err = cli('decrypt', path)
    assert status == 1 and err.startswith('scwkms-vars: %s: secret_key: no Scaleway secret key found' % path)
    status, _out, err = cli('show', str(tmp_path / 'missing.scwkms'))
    assert status == 1 and 'missing.scwkms: No such file or directory' in err


def test_the_script_runs_from_the_collection(km_emulator, environment, tmp_path):
    path = str(tmp_path / 'db.scwkms')
    done = subprocess.run([sys.executable, str(SCRIPT), 'encrypt', '--key', 'cli', path], input=YAML, text=True,
                          capture_output=True, env=dict(os.environ, **environment), timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([sys.executable, str(SCRIPT), 'decrypt', path], text=True, capture_output=True,
                          env=dict(os.environ, **environment), timeout=120, check=False)
    assert (done.returncode, done.stdout) == (0, YAML), done.stderr
    assert os.access(SCRIPT, os.X_OK)
