# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scwkms_public_key end to end in one process: main() against the in-process emulator."""

from __future__ import annotations

import base64
import json
import os
import stat

import pytest
from cryptography.hazmat.primitives import serialization

from ansible_collections.scwkms.key_manager.plugins.modules import scwkms_public_key
from ansible_collections.scwkms.key_manager.tests.unit.plugins.keymaterial import needs_openssl, run
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import (
    GET_KEY, LIST, PUBLIC_KEY, api_calls, client_for, connection, create_key, task,
)
from ansible_collections.scwkms.key_manager.tests.unit.plugins.modules.module_runner import run_module

pytest.importorskip('scwkms_emulator')


# algorithm -> (key_type, key_size, curve, parameter_set, algorithm known from the public key alone)
EXPECTED = {
    'ec_p256_sha256': ('EC', 256, 'P-256', None, True),
    'ec_p384_sha384': ('EC', 384, 'P-384', None, True),
    'rsa_pss_2048_sha256': ('RSA', 2048, None, None, False),
    'rsa_pkcs1_2048_sha256': ('RSA', 2048, None, None, False),
    'rsa_oaep_2048_sha256': ('RSA', 2048, None, None, False),
    'rsa_oaep_3072_sha256': ('RSA', 3072, None, None, False),
    'ml_dsa_44': ('ML-DSA', None, None, 'ML-DSA-44', True),
    'ml_kem_768': ('ML-KEM', None, None, 'ML-KEM-768', True),
}


def public_key(emulator, **args):
    return task(scwkms_public_key, emulator, **args)


@pytest.mark.parametrize('algorithm', sorted(EXPECTED))
def test_key_by_id_costs_one_request(km_emulator, algorithm):
    key = create_key(km_emulator, algorithm)
    served = client_for(km_emulator).get_public_key(key['id'])
    km_emulator.clear_requests()
    result, failed = public_key(km_emulator, key=key['id'])
    assert not failed, result
    assert api_calls(km_emulator) == {PUBLIC_KEY: 1}
    key_type, key_size, curve, parameter_set, implied = EXPECTED[algorithm]
    assert (result['key_type'], result['key_size'], result['curve'], result['parameter_set']) == (
        key_type, key_size, curve, parameter_set)
    assert result['algorithm'] == (algorithm if implied else None)
    assert result['changed'] is False
    assert result['pem_original'] == served
    assert result['pem'].startswith('-----BEGIN PUBLIC KEY-----\n')
    loaded = serialization.load_pem_public_key(result['pem'].encode()) if key_type in ('RSA', 'EC') else None
    served_der = base64.b64decode(''.join(line for line in served.splitlines() if not line.startswith('-----')))
    # cryptography refuses the served labels; the body itself loads (SPKI, or PKCS#1 for RSA).
    assert base64.b64decode(result['der_b64']) == serialization.load_der_public_key(served_der).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if loaded is not None:
        assert result['openssh'] and result['jwk']['kid'] and result['openssh_fingerprint'].startswith('SHA256:')
    else:
        assert result['openssh'] is None and result['jwk'] is None
    assert result['key_id'] == key['id'] and result['region'] == 'fr-par'
    assert result['kms_uri'] == 'scwkms:key-id=%s;region=fr-par' % key['id']
    assert 'key' not in result


def test_include_key_reads_the_key_for_rsa_algorithms(km_emulator):
    key = create_key(km_emulator, 'rsa_pss_2048_sha256')
    km_emulator.clear_requests()
    result, failed = public_key(km_emulator, key=key['id'], include_key=True)
    assert not failed, result
    assert api_calls(km_emulator) == {GET_KEY: 1, PUBLIC_KEY: 1}
    assert result['algorithm'] == 'rsa_pss_2048_sha256'
    assert result['jwk']['alg'] == 'PS256' and result['jwk']['use'] == 'sig'
    assert result['key']['name'] == key['name'] and result['key']['kms_uri'] == result['kms_uri']


def test_key_by_name_costs_two_requests(km_emulator):
    create_key(km_emulator, 'rsa_oaep_2048_sha256', name='pk-by-name')
    km_emulator.clear_requests()
    result, failed = public_key(km_emulator, key='pk-by-name')
    assert not failed, result
    assert api_calls(km_emulator) == {LIST: 1, PUBLIC_KEY: 1}
    assert result['algorithm'] == 'rsa_oaep_2048_sha256'
    assert result['jwk']['alg'] == 'RSA-OAEP-256' and result['jwk']['use'] == 'enc'


@pytest.mark.parametrize('form', ['scwkms:key-id=%s;region=fr-par', 'scw-kms://regions/fr-par/keys/%s', '%s'])
def test_key_uris(km_emulator, form):
    key = create_key(km_emulator, 'ec_p256_sha256')
    km_emulator.clear_requests()
    result, failed = public_key(km_emulator, key=form % key['id'].upper() if form == '%s' else form % key['id'])
    assert not failed, result
    assert api_calls(km_emulator) == {PUBLIC_KEY: 1}
    assert result['key_id'] == key['id']


def test_symmetric_key_has_no_public_key(km_emulator):
    key = create_key(km_emulator, 'aes_256_gcm', name='pk-aes')
    km_emulator.clear_requests()
    result, failed = public_key(km_emulator, key=key['id'])
    assert failed
    assert result['msg'] == ('key %s (pk-aes) is a symmetric key (aes_256_gcm): it has no public key '
                             '(Key Manager answered HTTP 412 precondition_failed)' % key['id'])
    assert api_calls(km_emulator) == {PUBLIC_KEY: 1, GET_KEY: 1}


def test_symmetric_key_by_name_needs_no_extra_request(km_emulator):
    create_key(km_emulator, 'aes_256_gcm', name='pk-aes-name')
    km_emulator.clear_requests()
    result, failed = public_key(km_emulator, key='pk-aes-name')
    assert failed and 'is a symmetric key (aes_256_gcm): it has no public key' in result['msg']
    assert api_calls(km_emulator) == {LIST: 1, PUBLIC_KEY: 1}


def test_scheduled_key(km_emulator):
    key = create_key(km_emulator, 'ec_p256_sha256', name='pk-doomed')
    client_for(km_emulator).delete_key(key['id'])
    result, failed = public_key(km_emulator, key=key['id'])
    assert failed
    assert result['msg'].startswith('key %s (pk-doomed) is scheduled_for_deletion, so its public key cannot be read' % key['id'])


@pytest.mark.parametrize('reference, message', [
    ('00000000-0000-4000-8000-000000000000', 'key 00000000-0000-4000-8000-000000000000 does not exist in region fr-par'),
    ('no-such-key', "no key named 'no-such-key' in project "),
    ('scwkms:key-id=00000000-0000-4000-8000-000000000000;region=nl-ams', 'names region nl-ams but region is fr-par'),
    ('scw-kms://regions/fr-par/keys/not-a-uuid', 'is not a valid Tink key URI'),
    ('scwkms:region=fr-par', 'has no valid key-id'),
])
def test_bad_references(km_emulator, reference, message):
    result, failed = public_key(km_emulator, key=reference)
    assert failed and message in result['msg'], result


def test_disabled_key_still_has_its_public_key(km_emulator):
    key = create_key(km_emulator, 'ec_p256_sha256')
    client_for(km_emulator).disable_key(key['id'])
    result, failed = public_key(km_emulator, key=key['id'])
    assert not failed and result['key_type'] == 'EC'


# -- dest ----------------------------------------------------------------------------------------

@pytest.mark.parametrize('fmt', ['pem', 'der', 'jwk', 'openssh'])
def test_dest_check_apply_idempotent(km_emulator, tmp_path, fmt):
    key = create_key(km_emulator, 'ec_p384_sha384')
    dest = str(tmp_path / ('key.%s' % fmt))
    args = dict(key=key['id'], dest=dest, format=fmt, mode='0640')

    result, failed = task(scwkms_public_key, km_emulator, check_mode=True, diff=True, **args)
    assert not failed and result['changed'] and not os.path.exists(dest)
    assert result['diff'][0]['before'] == '' and result['diff'][0]['before_header'].endswith('(absent)')

    result, failed = task(scwkms_public_key, km_emulator, **args)
    assert not failed and result['changed'] and result['dest'] == dest
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o640
    content = open(dest, 'rb').read()
    expected = {'pem': result['pem'].encode(), 'der': base64.b64decode(result['der_b64']),
                'openssh': (result['openssh'] + '\n').encode()}.get(fmt)
    if fmt == 'jwk':
        assert json.loads(content) == result['jwk']
    else:
        assert content == expected

    km_emulator.clear_requests()
    for check_mode in (True, False):
        again, failed = task(scwkms_public_key, km_emulator, check_mode=check_mode, diff=True, **args)
        assert not failed and again['changed'] is False and again['diff'] == []
    assert api_calls(km_emulator) == {PUBLIC_KEY: 2}

    args['mode'] = '0600'
    changed, failed = task(scwkms_public_key, km_emulator, diff=True, **args)
    assert changed['changed'] and changed['diff'] == [{'before': {'path': dest, 'mode': '0640'},
                                                       'after': {'path': dest, 'mode': '0600'}}]
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600


def test_dest_with_other_content_is_replaced(km_emulator, tmp_path):
    key = create_key(km_emulator, 'ec_p256_sha256')
    dest = tmp_path / 'key.pem'
    dest.write_text('old\n')
    result, failed = task(scwkms_public_key, km_emulator, check_mode=True, diff=True, key=key['id'], dest=str(dest))
    assert result['changed'] and dest.read_text() == 'old\n'
    assert result['diff'][0]['before'] == 'old\n' and result['diff'][0]['after'] == result['pem']
    result, failed = task(scwkms_public_key, km_emulator, key=key['id'], dest=str(dest))
    assert result['changed'] and dest.read_text() == result['pem']


def test_dest_errors(km_emulator, tmp_path):
    ec = create_key(km_emulator, 'ec_p256_sha256')
    mldsa = create_key(km_emulator, 'ml_dsa_65')
    cases = [
        (dict(key=ec['id'], dest=str(tmp_path)), 'dest: %s is a directory; give a file path' % tmp_path),
        (dict(key=ec['id'], dest=str(tmp_path / 'missing' / 'key.pem')), 'dest: the directory %s does not exist' % (tmp_path / 'missing')),
        (dict(key=mldsa['id'], dest=str(tmp_path / 'k.jwk'), format='jwk'),
         'an ML-DSA-65 public key has no JWK form (JWK has no registered key type for it); use format pem or der'),
        (dict(key=mldsa['id'], dest=str(tmp_path / 'k.pub'), format='openssh'),
         'an ML-DSA-65 public key has no OpenSSH form; use format pem or der'),
        (dict(key=ec['id'], format='pkcs12'), 'value of format must be one of: pem, der, jwk, openssh, got: pkcs12'),
    ]
    for args, message in cases:
        result, failed = public_key(km_emulator, **args)
        assert failed and message in result['msg'], (args, result['msg'])


def test_missing_credentials_fail_before_any_request(km_emulator):
    key = create_key(km_emulator, 'ec_p256_sha256')
    km_emulator.clear_requests()
    args = connection(km_emulator, key=key['id'])
    args['secret_key'] = 'not-a-uuid'
    result, failed = run_module(scwkms_public_key.main, args)
    assert failed and 'secret_key: the secret key from option secret_key is not a UUID' in result['msg']
    assert api_calls(km_emulator) == {}


@needs_openssl
@pytest.mark.parametrize('algorithm', ['ec_p256_sha256', 'ec_p384_sha384', 'rsa_pss_2048_sha256', 'rsa_oaep_3072_sha256'])
def test_openssl_reads_what_the_module_writes(km_emulator, tmp_path, algorithm):
    key = create_key(km_emulator, algorithm)
    for fmt, inform in (('pem', 'PEM'), ('der', 'DER')):
        dest = tmp_path / ('key.%s' % fmt)
        result, failed = public_key(km_emulator, key=key['id'], dest=str(dest), format=fmt)
        assert not failed
        checked = run('openssl', 'pkey', '-pubin', '-inform', inform, '-in', str(dest), '-outform', 'DER')
        assert checked.returncode == 0, checked.stderr
        assert checked.stdout == base64.b64decode(result['der_b64'])
    # ... while the PEM as served is refused for EC keys (non-standard label).
    if algorithm.startswith('ec_'):
        (tmp_path / 'served.pem').write_text(result['pem_original'])
        assert run('openssl', 'pkey', '-pubin', '-in', str(tmp_path / 'served.pem'), '-noout').returncode != 0


def test_a_relative_dest_is_written_relative_to_the_working_directory(km_emulator, tmp_path, monkeypatch):
    key = create_key(km_emulator, 'ec_p256_sha256')
    monkeypatch.chdir(tmp_path)
    result, failed = task(scwkms_public_key, km_emulator, key=key['id'], dest='key.pem')
    assert not failed and result['changed'], result
    assert (tmp_path / 'key.pem').read_text() == result['pem']
    again, failed = task(scwkms_public_key, km_emulator, key=key['id'], dest='key.pem')
    assert not failed and not again['changed']
