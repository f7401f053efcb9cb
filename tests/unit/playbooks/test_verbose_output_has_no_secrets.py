# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs a real playbook with -vvvv against the emulator and looks for secrets in everything it prints."""

from __future__ import annotations

import base64
import os
import pathlib
import shutil
import subprocess
import sys
import uuid


COLLECTION_ROOT = pathlib.Path(os.path.abspath(__file__)).parents[3]
SECRET_KEY = str(uuid.uuid4())
PROJECT_ID = str(uuid.uuid4())
KEY_MATERIAL = b'TopSecretKeyMaterial-0123456789!'  # 32 printable bytes, so a leak would be readable
MESSAGE = 'confidential-message-to-sign-4f1c'

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/scwkms.key_manager.scwkms:
      api_url: "{url}"
      secret_key: "{secret}"
      project_id: "{project}"
  tasks:
    - name: External key
      scwkms.key_manager.scwkms_key:
        name: verbose-byok
        origin: external
        key_material: "{material}"
        protected: true
      diff: true

    - name: Rotate it by importing again
      scwkms.key_manager.scwkms_key:
        name: verbose-byok
        key_material: "{material}"
        rotate: true
      diff: true

    - name: A refused deletion reports an error
      scwkms.key_manager.scwkms_key:
        name: verbose-byok
        state: absent
      ignore_errors: true

    - name: A bad option reports an error
      scwkms.key_manager.scwkms_key:
        name: verbose-byok
        region: mars-1
      ignore_errors: true

    - name: A signing key
      scwkms.key_manager.scwkms_key:
        name: verbose-signer
        algorithm: ec_p256_sha256

    - name: Sign a confidential message
      scwkms.key_manager.scwkms_sign:
        key: verbose-signer
        content: "{message}"

    - name: List keys
      scwkms.key_manager.scwkms_key_info:
"""


def collections_path(tmp_path):
    """A collections directory where ansible-playbook finds this very tree, wherever it is checked out."""
    if COLLECTION_ROOT.parts[-3:] == ('ansible_collections', 'scwkms', 'key_manager'):
        return str(COLLECTION_ROOT.parents[2])
    link = tmp_path / 'collections' / 'ansible_collections' / 'scwkms' / 'key_manager'
    link.parent.mkdir(parents=True)
    link.symlink_to(COLLECTION_ROOT)
    return str(tmp_path / 'collections')


def test_vvvv_output_contains_no_secret(km_emulator, tmp_path):
    material_b64 = base64.b64encode(KEY_MATERIAL).decode()
    playbook = tmp_path / 'verbose.yml'
    playbook.write_text(PLAYBOOK.format(url=km_emulator.url, secret=SECRET_KEY, project=PROJECT_ID,
                                        material=material_b64, message=MESSAGE))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(tmp_path), ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_INVENTORY_UNPARSED_WARNING='0', ANSIBLE_KEEP_REMOTE_FILES='0')
    binary = shutil.which('ansible-playbook', path=os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', ''))
    assert binary, 'ansible-playbook is not installed beside %s' % sys.executable
    run = subprocess.run([binary, '-vvvv', str(playbook)],
                         env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=600, check=False)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' in output  # the invocation was printed, masked
    assert 'is protected and cannot be deleted' in output
    assert "region (from option region): 'mars-1' is not a Key Manager region" in output
    for secret in (SECRET_KEY, material_b64, KEY_MATERIAL.decode(), MESSAGE,
                   base64.b64encode(MESSAGE.encode()).decode()):
        assert secret not in output, 'a secret leaked into -vvvv output'
    requests = km_emulator.requests()
    assert any(entry['route'] == 'POST /keys/{key_id}/import-key-material' for entry in requests)
    assert any(entry['route'] == 'POST /keys/{key_id}/sign' for entry in requests)
