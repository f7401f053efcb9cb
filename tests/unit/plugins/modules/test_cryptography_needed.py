# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""cryptography is imported only by the tasks that need it, and checked once (_module.require_cryptography)
before any request when an option needs it."""

from __future__ import annotations

import builtins
import json
import os
import subprocess
import sys

import pytest
from ansible.module_utils import basic

from ansible_collections.scwkms.key_manager.plugins.module_utils import _module
from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_public_key, scwkms_sign, scwkms_verify
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import (
    api_calls, connection, create_key,
)
from ansible_collections.scwkms.key_manager.tests.unit.plugins.modules.module_runner import run_module

pytest.importorskip('scwkms_emulator')

PLUGINS = 'ansible_collections.scwkms.key_manager.plugins.'
DER_SIGNATURE = 'MAYCAQECAQE='  # r = s = 1


@pytest.mark.parametrize('name', ['modules.scwkms_public_key', 'modules.scwkms_sign', 'modules.scwkms_verify',
                                  'lookup.scwkms_public_key'])
def test_importing_a_plugin_does_not_import_cryptography(name):
    code = 'import sys, %s%s; print(json.dumps("cryptography" in sys.modules))' % (PLUGINS, name)
    output = subprocess.run([sys.executable, '-c', 'import json; ' + code], capture_output=True, text=True,
                            check=True, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))).stdout
    assert json.loads(output) is False


@pytest.fixture
def no_cryptography(monkeypatch):
    """Call it (after making the keys) and every later `import cryptography...` fails, as on a host without
    the package."""
    def block():
        for name in list(sys.modules):
            if name == 'cryptography' or name.startswith('cryptography.'):
                monkeypatch.setitem(sys.modules, name, None)
    return block


@pytest.mark.parametrize('module, options', [
    (scwkms_public_key, {}),
    (scwkms_sign, {'content': 'x', 'verify': True}),
    (scwkms_sign, {'content': 'x', 'dest': '/nonexistent/sig'}),
    (scwkms_sign, {'content': 'x', 'algorithm': 'ec_p256_sha256'}),
    (scwkms_verify, {'content': 'x', 'signature': DER_SIGNATURE}),
    (scwkms_verify, {'content': 'x', 'signature': DER_SIGNATURE, 'remote': True, 'algorithm': 'ec_p256_sha256'}),
])
def test_an_option_that_needs_cryptography_fails_before_any_signing(km_emulator, no_cryptography, module, options):
    key = create_key(km_emulator, 'ec_p256_sha256', name='crypto-needed')
    km_emulator.clear_requests()
    no_cryptography()
    result, failed = run_module(module.main, connection(km_emulator, key=key['id'], **options))
    assert failed and result['msg'] == basic.missing_required_lib('cryptography')
    assert set(api_calls(km_emulator)) <= {'GET /keys/{key_id}'}


@pytest.fixture
def collection_without_cryptography(monkeypatch):
    """The collection's code cannot import cryptography, nor does require_cryptography find it; the
    emulator in this process still can (it imports parts of it lazily while signing)."""
    real_import = builtins.__import__

    def guarded(name, globals=None, *args, **kwargs):  # pylint: disable=redefined-builtin
        if name.startswith('cryptography') and (globals or {}).get('__name__', '').startswith(PLUGINS):
            raise ImportError('No module named %r' % name)
        return real_import(name, globals, *args, **kwargs)
    monkeypatch.setattr(builtins, '__import__', guarded)
    monkeypatch.setattr(_module, 'import_error', lambda name: 'ImportError' if name.startswith('cryptography') else None)


@pytest.mark.usefixtures('collection_without_cryptography')
@pytest.mark.parametrize('module, options', [
    (scwkms_sign, {'content': 'x'}),
    (scwkms_verify, {'content': 'x', 'signature': 'AAAA', 'remote': True}),
])
def test_rsa_signing_and_remote_verification_need_no_cryptography(km_emulator, module, options):
    key = create_key(km_emulator, 'rsa_pkcs1_2048_sha256', name='crypto-free')
    result, failed = run_module(module.main, connection(km_emulator, key=key['id'], **options))
    assert not failed, result
    assert result['algorithm'] == 'rsa_pkcs1_2048_sha256'
