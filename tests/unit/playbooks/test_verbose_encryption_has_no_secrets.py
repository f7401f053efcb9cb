# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Issue 9: a plaintext, a data key or a decrypted value never shows in -vvvv output, in results, diffs or errors
of scwkms_encrypt, scwkms_decrypt and scwkms_data_key (the playbook runner is the -vvvv test's)."""

from __future__ import annotations

import base64

from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import PROJECT, client_for
from ansible_collections.scwkms.key_manager.tests.unit.playbooks.test_verbose_output_has_no_secrets import (
    SECRET_KEY, assert_no_secret, playbook, run_playbook,
)

PLAINTEXT = 'confidential-plaintext-7d2e-never-shown'
FILE_TEXT = 'confidential-file-content-91ab-never-shown\n'

TASKS = """
    - name: Encrypt a text, in check mode and for real, with diff
      scwkms.key_manager.scwkms_encrypt:
        key: verbose-aes
        content: "{plaintext}"
        associated_data: ctx
        dest: "{tmp}/text.enc"
      check_mode: "{{{{ item }}}}"
      loop: [true, false]
      diff: true

    - name: Encrypt a file as an envelope
      scwkms.key_manager.scwkms_encrypt:
        key: verbose-aes
        path: "{tmp}/plain.txt"
        envelope: always
        dest: "{tmp}/file.enc"
      diff: true

    - name: Encrypt with a key that cannot
      scwkms.key_manager.scwkms_encrypt:
        key: verbose-signer
        content: "{plaintext}"
      ignore_errors: true

    - name: Decrypt both to files, with diff
      scwkms.key_manager.scwkms_decrypt:
        key: verbose-aes
        path: "{tmp}/{{{{ item.name }}}}.enc"
        associated_data: "{{{{ item.ad }}}}"
        dest: "{tmp}/{{{{ item.name }}}}.out"
      loop: [{{name: text, ad: ctx}}, {{name: file, ad: ""}}]
      diff: true

    - name: Decrypt with the wrong associated data
      scwkms.key_manager.scwkms_decrypt:
        key: verbose-aes
        path: "{tmp}/text.enc"
        associated_data: wrong
        dest: "{tmp}/wrong.out"
      ignore_errors: true

    - name: Decrypt a data key without returning it
      scwkms.key_manager.scwkms_decrypt:
        key: verbose-aes
        ciphertext: "{sealed_data_key}"

    - name: Rotate, then rewrap the file
      scwkms.key_manager.scwkms_key:
        name: verbose-aes
        rotate: true

    - name: Rewrap
      scwkms.key_manager.scwkms_decrypt:
        key: verbose-aes
        path: "{tmp}/file.enc"
        rewrap: true
      diff: true

    - name: A data key, without its plaintext
      scwkms.key_manager.scwkms_data_key:
        key: verbose-aes
"""


def test_vvvv_output_of_the_encryption_modules_contains_no_plaintext(km_emulator, tmp_path):
    client = client_for(km_emulator)
    key = client.create_key(name='verbose-aes', algorithm='aes_256_gcm', protected=False)
    client.create_key(name='verbose-signer', algorithm='ec_p256_sha256', protected=False)
    data_key, sealed_data_key = client.generate_data_key(key['id'])
    (tmp_path / 'plain.txt').write_text(FILE_TEXT)
    tasks = TASKS.format(plaintext=PLAINTEXT, tmp=tmp_path, sealed_data_key=base64.b64encode(sealed_data_key).decode())
    returncode, output = run_playbook(tmp_path, playbook(tasks, api_url=km_emulator.url, secret_key=SECRET_KEY,
                                                         project_id=PROJECT))
    assert returncode == 0, output[-4000:]
    assert 'it cannot encrypt' in output and 'wrong associated data' in output
    assert 'plaintext, 39 bytes (not shown)' in output and '"rewrapped": true' in output
    assert (tmp_path / 'text.out').read_text() == PLAINTEXT and (tmp_path / 'file.out').read_text() == FILE_TEXT
    assert not (tmp_path / 'wrong.out').exists()
    secrets = (PLAINTEXT, FILE_TEXT.strip(), base64.b64encode(data_key).decode(), base64.b64encode(PLAINTEXT.encode()).decode(),
               base64.b64encode(FILE_TEXT.encode()).decode())
    assert_no_secret(output, SECRET_KEY, *secrets)
    routes = [entry['route'] for entry in km_emulator.requests()]
    assert routes.count('POST /keys/{key_id}/generate-data-key') == 2 and 'POST /keys/{key_id}/encrypt' in routes
