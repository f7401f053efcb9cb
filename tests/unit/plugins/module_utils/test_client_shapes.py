# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every success body is checked for the shape its call needs: anything else is a malformed_response
error naming the call, sent once (never retried) and never followed by a write."""

from __future__ import annotations

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils._client import KeyManagerError
from ansible_collections.scwkms.key_manager.plugins.module_utils._wire import b64decode
from ansible_collections.scwkms.key_manager.tests.unit.plugins.module_utils.scripted_api import (
    KEY, KEYS, dropped, listing, make_client, response,
)
from ansible_collections.scwkms.key_manager.tests.unit.plugins.support import KEY_ID, key

LIST = ('GET', KEYS)


def malformed(call, *script, **options):
    """The error a call raises when the session answers with script; also returns the session."""
    client, session, _clock = make_client(*script, **options)
    with pytest.raises(KeyManagerError) as error:
        call(client)
    assert error.value.error_type == 'malformed_response'
    assert 'retryable' not in error.value.details and 'gave up' not in str(error.value)
    return error.value, session


@pytest.mark.parametrize('body, problem', [
    ({}, "missing 'keys'"),
    ([], 'it is an array, not an object'),
    ({'keys': {}, 'total_count': 0}, "'keys' is an object, not an array"),
    ({'keys': [], 'total_count': '0'}, "'total_count' is a string, not a number"),
    ({'keys': [], 'total_count': True}, "'total_count' is a boolean, not a number"),
    ({'keys': [key(id='nope')], 'total_count': 1}, "keys[0]: 'id' is not a UUID"),
    ({'keys': [key(), {'id': KEY_ID}], 'total_count': 2}, "keys[1]: missing 'state'"),
])
def test_a_malformed_list_is_not_read_as_no_keys(body, problem):
    error, session = malformed(lambda client: client.list_keys(name='k'), response(200, body))
    assert error.message == "GET /keys answered HTTP 200 with a body that is not a key list: %s" % problem
    assert session.calls() == [LIST]


@pytest.mark.parametrize('body, problem', [
    ({}, "missing 'id'"),
    (key(state=None), "'state' is null, not a string"),
    (key(usage='aes_256_gcm'), "'usage' is a string, not an object"),
    (key(rotation_count='1'), "'rotation_count' is a string, not a number"),
    (key(tags=None), "'tags' is null, not an array"),
    ('enabled', 'it is a string, not an object'),
])
def test_a_malformed_key_is_an_error_not_a_missing_key(body, problem):
    error, session = malformed(lambda client: client.get_key(KEY_ID), response(200, body))
    assert error.message == "GET /keys/%s answered HTTP 200 with a body that is not a key: %s" % (KEY_ID, problem)
    assert session.calls() == [('GET', KEY)]


@pytest.mark.parametrize('answer, problem', [
    (response(204, raw=b''), 'it is empty'),
    (response(200, raw=b'<html>ok</html>'), 'it is not JSON'),
    (response(200, raw=b'null'), 'it is null, not an object'),
])
def test_an_empty_or_non_json_success_is_malformed_where_a_body_is_needed(answer, problem):
    error, _session = malformed(lambda client: client.get_key(KEY_ID), answer)
    assert error.message.endswith('not a key: ' + problem)
    assert error.status == answer.status_code


def test_delete_needs_no_body():
    client, session, _clock = make_client(response(204, raw=b''), response(200, raw=b'whatever'))
    assert client.delete_key(KEY_ID) is None
    assert client.delete_key(KEY_ID) is None
    assert session.calls() == [('DELETE', KEY)] * 2


def test_a_malformed_answer_to_an_action_is_not_reported_as_done():
    error, session = malformed(lambda client: client.disable_key(KEY_ID), response(200, {}))
    assert 'POST /keys/%s/disable answered HTTP 200' % KEY_ID in error.message
    assert session.calls() == [('POST', KEY + '/disable')]


def test_a_malformed_list_during_the_read_back_of_a_lost_create_stops_without_a_second_create():
    error, session = malformed(lambda client: client.create_key(name='billing', algorithm='aes_256_gcm'),
                               dropped(), response(200, {}))
    assert "not a key list: missing 'keys'" in error.message
    assert session.calls() == [('POST', KEYS), LIST]


def test_a_malformed_create_answer_is_not_followed_by_another_create():
    _error, session = malformed(lambda client: client.create_key(name='billing', algorithm='aes_256_gcm'),
                                response(200, {'id': KEY_ID}))
    assert session.calls() == [('POST', KEYS)]


@pytest.mark.parametrize('body, problem', [
    ({'valid': 'false'}, "'valid' is a string, not a boolean"),
    ({'valid': 1}, "'valid' is a number, not a boolean"),
    ({'valid': None}, "'valid' is null, not a boolean"),
    ({}, "missing 'valid'"),
])
def test_verify_passes_only_on_json_true(body, problem):
    error, _session = malformed(lambda client: client.verify(KEY_ID, b'\x01' * 32, b'sig'), response(200, body))
    assert error.message.endswith('not a verification: ' + problem)


@pytest.mark.parametrize('valid', [True, False])
def test_verify_reads_a_json_boolean(valid):
    client, _session, _clock = make_client(response(200, {'key_id': KEY_ID, 'valid': valid}))
    assert client.verify(KEY_ID, b'\x01' * 32, b'sig') is valid


@pytest.mark.parametrize('call, body, problem', [
    (lambda client: client.get_public_key(KEY_ID), {}, "not a public key: missing 'pem'"),
    (lambda client: client.get_public_key(KEY_ID), {'pem': ['x']}, "not a public key: 'pem' is an array, not a string"),
    (lambda client: client.sign(KEY_ID, b'\x01' * 32), {'key_id': KEY_ID}, "not a signature: missing 'signature'"),
    (lambda client: client.sign(KEY_ID, b'\x01' * 32), {'signature': 'not base64!'}, "'signature' is not base64"),
    (lambda client: client.encrypt(KEY_ID, b'data'), {'ciphertext': None}, "'ciphertext' is null, not a string"),
    (lambda client: client.decrypt(KEY_ID, b'data'), {'ciphertext': None}, "not a decryption: missing 'plaintext'"),
    (lambda client: client.generate_data_key(KEY_ID), {'ciphertext': 'AAAA', 'plaintext': None},
     "not a data key: 'plaintext' is null, not a string"),
])
def test_cryptographic_answers_carry_the_fields_they_need(call, body, problem):
    error, session = malformed(call, response(200, body))
    assert error.message.endswith(problem)
    assert len(session.sent) == 1


def test_cryptographic_answers_are_decoded():
    client, _session, _clock = make_client(
        response(200, {'key_id': KEY_ID, 'ciphertext': 'AAEC'}),
        response(200, {'key_id': KEY_ID, 'plaintext': 'AAEC', 'ciphertext': None}),
        response(200, {'key_id': KEY_ID, 'ciphertext': 'AAEC', 'plaintext': None}))
    assert client.encrypt(KEY_ID, b'data') == b'\x00\x01\x02'
    assert client.decrypt(KEY_ID, b'data') == (b'\x00\x01\x02', None)
    assert client.generate_data_key(KEY_ID, without_plaintext=True) == (None, b'\x00\x01\x02')


@pytest.mark.parametrize('text, data', [
    ('AAECAw==', b'\x00\x01\x02\x03'), ('AAECAw', b'\x00\x01\x02\x03'), ('AAEC\nAw==\n', b'\x00\x01\x02\x03'),
    ('-_8', b'\xfb\xff'), ('+/8=', b'\xfb\xff'), ('', b''),
])
def test_b64decode_is_lenient_as_protojson(text, data):
    assert b64decode(text) == data


@pytest.mark.parametrize('text', ['not base64!', 'AA+-', 'A'])
def test_b64decode_refuses_what_is_not_base64(text):
    with pytest.raises(ValueError):
        b64decode(text)


def test_a_good_list_still_reads():
    client, _session, _clock = make_client(response(200, listing(key())))
    assert client.list_keys() == [key()]
