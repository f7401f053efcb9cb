# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The AnsibleModule glue: masking secrets whatever their source, settings warnings, dependency checks."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest
from ansible.module_utils import basic
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.scwkms.key_manager.plugins.module_utils import _module
from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_key
from ansible_collections.scwkms.key_manager.tests.unit.plugins.modules.module_runner import run_module
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import PROJECT, SECRET


class Stub(object):
    def __init__(self):
        self.no_log_values = set()

    def fail_json(self, **result):
        raise RuntimeError(result)


def test_mask_adds_raw_stripped_and_base64_forms():
    module = Stub()
    _module.mask(module, SECRET + '\n', b' key material\xff', None, '', ' \n')
    assert {SECRET + '\n', SECRET, base64.b64encode(SECRET.encode()).decode()} <= module.no_log_values
    assert base64.b64encode(b' key material\xff').decode() in module.no_log_values
    assert base64.b64encode(b'key material\xff').decode() in module.no_log_values
    assert '' not in module.no_log_values and ' \n' not in module.no_log_values


def test_mask_adds_the_text_of_utf8_bytes():
    module = Stub()
    _module.mask(module, b'passphrase\n')
    assert {'passphrase\n', 'passphrase', 'cGFzc3BocmFzZQo=', 'cGFzc3BocmFzZQ==',
            'cGFzc3BocmFzZQo', 'cGFzc3BocmFzZQ'} == module.no_log_values  # unpadded too, as the client scrubs


@pytest.mark.parametrize('check, package', [(_module.require_cryptography, 'cryptography'),
                                            (_module.require_requests, 'requests')])
def test_a_missing_dependency_fails_with_missing_required_lib(monkeypatch, check, package):
    for name in list(sys.modules):
        if name == package or name.startswith(package + '.'):
            monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(RuntimeError) as error:
        check(Stub())
    result, = error.value.args
    assert result['msg'] == basic.missing_required_lib(package)
    assert 'ImportError' in result['exception'] or 'ModuleNotFoundError' in result['exception']


def test_present_dependencies_pass():
    _module.require_cryptography(Stub())
    _module.require_requests(Stub())


def test_the_module_glue_imports_neither_cryptography_nor_yaml():
    code = ('import sys, ansible_collections.scwkms.key_manager.plugins.modules.scwkms_key; '
            'print(sorted(set(("cryptography", "yaml")) & set(sys.modules)))')
    output = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True,
                            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))).stdout
    assert json.loads(output.replace("'", '"')) == []


@pytest.fixture
def modules(monkeypatch):
    """Every AnsibleModule made, with the warnings it emitted."""
    made = []
    init = basic.AnsibleModule.__init__

    def record(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.recorded_warnings = []
        made.append(self)
    monkeypatch.setattr(basic.AnsibleModule, '__init__', record)
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, warning: self.recorded_warnings.append(warning))
    return made


def run_key(emulator, monkeypatch, secret, **args):
    """scwkms_key with the secret key in the environment (None: not there)."""
    if secret is None:
        monkeypatch.delenv('SCW_SECRET_KEY', raising=False)
    else:
        monkeypatch.setenv('SCW_SECRET_KEY', secret)
    return run_module(scwkms_key.main, dict(dict(api_url=emulator.url, project_id=PROJECT, region='fr-par',
                                                 max_retries=0, name='settings-mask'), **args))


def test_a_secret_from_the_environment_with_a_newline_works_and_is_masked(km_emulator, monkeypatch, modules):
    result, failed = run_key(km_emulator, monkeypatch, SECRET + '\n')
    assert not failed, result
    assert result['changed'] is True
    module, = modules
    assert {SECRET, SECRET + '\n'} <= module.no_log_values
    shown = json.dumps(remove_values(result, module.no_log_values))
    assert SECRET not in shown and SECRET[:8] not in json.dumps(result)
    assert module.recorded_warnings == []


def test_the_environment_secret_is_masked_even_when_settings_fail(km_emulator, monkeypatch, modules):
    result, failed = run_key(km_emulator, monkeypatch, SECRET + '\n', region='mars-1')
    assert failed and 'region (from option region)' in result['msg']
    assert {SECRET, SECRET + '\n'} <= modules[0].no_log_values


def test_a_secret_from_a_config_file_is_masked(km_emulator, monkeypatch, modules, tmp_path):
    config = tmp_path / 'config.yaml'
    config.write_text('secret_key: "%s\\n"\n' % SECRET)
    result, failed = run_key(km_emulator, monkeypatch, None, config_file=str(config))
    assert not failed, result
    assert SECRET in modules[0].no_log_values


def test_settings_warnings_reach_module_warn(km_emulator, monkeypatch, modules):
    result, failed = run_key(km_emulator, monkeypatch, SECRET, validate_certs=False)
    assert not failed, result
    warning, = modules[0].recorded_warnings
    assert warning.startswith('validate_certs is false: the TLS certificate of 127.0.0.1 is not checked')
