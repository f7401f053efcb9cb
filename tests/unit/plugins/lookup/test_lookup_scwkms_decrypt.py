# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The scwkms_decrypt lookup: inline and file terms, sealed files, output forms, unsafe values, errors."""

from __future__ import annotations

import base64

import pytest
import yaml
from ansible.errors import AnsibleLookupError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.scwkms.key_manager.plugins.lookup import scwkms_decrypt
from ansible_collections.scwkms.key_manager.plugins.module_utils._sealed_file import dump, key_uri
from ansible_collections.scwkms.key_manager.plugins.module_utils._sealing import seal
from ansible_collections.scwkms.key_manager.plugins.module_utils._target import Target
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import (
    LIST, api_calls, client_for, create_key, lookup_with_options,
)

pytest.importorskip('scwkms_emulator')
try:
    from ansible.template import trust_as_template as trusted  # ansible-core 2.19+: only trusted text is a template
except ImportError:
    def trusted(text):
        return text


DECRYPT = 'POST /keys/{key_id}/decrypt'
OWN_DEFAULTS = dict((name, spec.get('default')) for name, spec in
                    yaml.safe_load(scwkms_decrypt.DOCUMENTATION)['options'].items() if name != '_terms')
DEFAULTS = dict(OWN_DEFAULTS, access_key=None, organization_id=None, profile=None, config_file=None,
                timeout=30.0, max_retries=0, retry_deadline=20.0, validate_certs=True)
PLAINTEXT = 'db-pa55word {{ 7 * 6 }}'


@pytest.fixture
def key(km_emulator):
    return create_key(km_emulator, 'aes_256_gcm', name='lookup-decrypt')['id']


@pytest.fixture
def lookup(km_emulator, tmp_path):
    """Run the lookup with options set directly; terms naming a file of tmp_path/files are found there."""
    def find(variables, subdir, needle, ignore_missing=False):
        path = tmp_path / subdir / needle
        return str(path) if path.is_file() else None  # OSError for a name too long, as os.stat raises it

    def run(*terms, **options):
        plugin = lookup_with_options(scwkms_decrypt, DEFAULTS, km_emulator, **options)
        plugin.find_file_in_search_path = find
        return plugin.run(list(terms), variables={})
    return run


def sealed(emulator, key_id, plaintext, **options):
    return seal(client_for(emulator), Target(key_id, 'fr-par', None, key_id), plaintext, **options).ciphertext


def in_files(tmp_path, name, content):
    (tmp_path / 'files').mkdir(exist_ok=True)
    path = tmp_path / 'files' / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return name


def test_inline_and_file_forms_each_one_decrypt_and_unsafe(lookup, km_emulator, key, tmp_path):
    direct = sealed(km_emulator, key, PLAINTEXT.encode())
    envelope = sealed(km_emulator, key, PLAINTEXT.encode(), envelope='always')
    terms = [base64.b64encode(direct).decode(), in_files(tmp_path, 'b64.txt', base64.encodebytes(envelope)),
             in_files(tmp_path, 'raw.bin', envelope)]
    km_emulator.clear_requests()
    values = lookup(*terms, key=key)
    assert values == [PLAINTEXT] * 3
    templar = Templar(loader=DataLoader(), variables={'value': values[0]})
    assert templar.template(trusted('{{ value }}')) == PLAINTEXT  # not '... 42'
    assert api_calls(km_emulator) == {DECRYPT: 3}


def test_sealed_files_name_their_key(lookup, km_emulator, key, tmp_path):
    text = dump(key_uri(key, 'fr-par'), sealed(km_emulator, key, b'\x00\xffbinary'))
    name = in_files(tmp_path, 'secret.sealed', text)
    km_emulator.clear_requests()
    assert lookup(name, text, output='base64') == [base64.b64encode(b'\x00\xffbinary').decode()] * 2
    assert api_calls(km_emulator) == {DECRYPT: 2}
    assert lookup(name, key='lookup-decrypt', output='base64') == [base64.b64encode(b'\x00\xffbinary').decode()]
    other = create_key(km_emulator, 'aes_256_gcm', name='lookup-other')['id']
    with pytest.raises(AnsibleLookupError, match='secret.sealed: the file is sealed with key %s.*but key is key %s'
                       % (key, other)):
        lookup(name, key=other)
    with pytest.raises(AnsibleLookupError, match='secret.sealed: the plaintext is not UTF-8 text; use output=base64'):
        lookup(name)


def test_associated_data_and_a_name_cost_one_list(lookup, km_emulator, key):
    ciphertext = base64.b64encode(seal(client_for(km_emulator), Target(key, 'fr-par', None, key), b'v',
                                       associated_data=b'host=db1').ciphertext).decode()
    km_emulator.clear_requests()
    assert lookup(ciphertext, key='lookup-decrypt', associated_data='host=db1') == ['v']
    assert api_calls(km_emulator) == {LIST: 1, DECRYPT: 1}
    with pytest.raises(AnsibleLookupError, match='the inline ciphertext: .*does not decrypt'):
        lookup(ciphertext, key=key, associated_data='host=db2')


def test_errors_never_show_the_plaintext(lookup, km_emulator, key, tmp_path):
    secret = PLAINTEXT.encode()
    broken = in_files(tmp_path, 'broken.sealed', 'scwkms_sealed: 1\nkey: %s\n' % key)
    with pytest.raises(AnsibleLookupError, match='^scwkms_decrypt: [^:]*broken.sealed: not a sealed file: ciphertext missing$'):
        lookup(broken)
    with pytest.raises(AnsibleLookupError, match='key is required'):
        lookup(base64.b64encode(sealed(km_emulator, key, secret)).decode())
    with pytest.raises(AnsibleLookupError, match='neither a file in the files search path nor base64'):
        lookup('missing-file.txt', key=key)
    truncated = in_files(tmp_path, 'cut.bin', sealed(km_emulator, key, secret, envelope='always')[:-5])
    with pytest.raises(AnsibleLookupError) as caught:
        lookup(truncated, key=key)
    assert 'cut.bin' in str(caught.value) and 'db-pa55word' not in str(caught.value)
    ciphertext = base64.b64encode(sealed(km_emulator, key, secret)).decode()
    client_for(km_emulator).disable_key(key)
    with pytest.raises(AnsibleLookupError, match='disabled'):
        lookup(ciphertext, key=key)
    with pytest.raises(AnsibleLookupError, match='no Scaleway secret key found'):
        lookup('x', key=key, secret_key=None)


@pytest.mark.parametrize('size', [300, 200000])
def test_long_inline_ciphertexts_are_not_taken_for_paths(lookup, km_emulator, key, size):
    plaintext = b'x' * size
    term = base64.b64encode(sealed(km_emulator, key, plaintext)).decode()
    km_emulator.clear_requests()
    assert lookup(term, key=key, output='base64') == [base64.b64encode(plaintext).decode()]
    assert api_calls(km_emulator) == {DECRYPT: 1}
