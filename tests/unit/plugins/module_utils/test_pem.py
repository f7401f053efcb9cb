# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Public key normalization: every header and body combination, garbage, and what openssl/ssh-keygen accept."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ansible_collections.scwkms.key_manager.plugins.module_utils import _pem
from ansible_collections.scwkms.key_manager.plugins.module_utils._pem import PublicKeyError, parse_public_key
from ansible_collections.scwkms.key_manager.tests.unit.plugins.keymaterial import (
    EC_CURVES, RSA_SIZES, ec_key, ec_point, needs_openssl, needs_ssh_keygen, pem, pkcs1_der, rsa_keys, run,
    service_pem, spki_der,
)

LABELS = ('PUBLIC KEY', 'RSA PUBLIC KEY', 'EC PUBLIC KEY')
EC_ORDERS = {
    'P-256': 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    'P-384': int('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973', 16),
}
HYPOTHESIS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def rsa_public(size, index):
    return rsa_keys(size)[index].public_key()


@st.composite
def public_keys(draw):
    """RSA 2048/3072/4096 from a pool generated once, EC P-256/P-384 generated from a drawn scalar."""
    if draw(st.booleans()):
        size = draw(st.sampled_from(RSA_SIZES))
        return rsa_public(size, draw(st.integers(0, len(rsa_keys(size)) - 1)))
    curve = draw(st.sampled_from(sorted(EC_CURVES)))
    scalar = draw(st.integers(min_value=1, max_value=EC_ORDERS[curve] - 1))
    return ec.derive_private_key(scalar, EC_CURVES[curve]()).public_key()


def bodies(public_key):
    forms = {'spki': spki_der(public_key)}
    if isinstance(public_key, rsa.RSAPublicKey):
        forms['pkcs1'] = pkcs1_der(public_key)
    else:
        forms['ec_point'] = ec_point(public_key)
        forms['ec_point_compressed'] = ec_point(public_key, compressed=True)
    return forms


def key_type(public_key):
    return 'RSA' if isinstance(public_key, rsa.RSAPublicKey) else 'EC'


@st.composite
def pem_text(draw, der, label):
    """PEM as real files vary: line width, CRLF, surrounding whitespace and text."""
    body = base64.b64encode(der).decode('ascii')
    width = draw(st.sampled_from([64, 76, 16, 1000]))
    newline = draw(st.sampled_from(['\n', '\r\n']))
    lines = [body[i:i + width] for i in range(0, len(body), width)]
    before = draw(st.sampled_from(['', '\n', '  \n', 'Key for host a\n']))
    after = draw(st.sampled_from(['', '\n', '\n\n', ' \n']))
    return '%s-----BEGIN %s-----%s%s%s-----END %s-----%s' % (
        before, label, newline, newline.join(lines), newline, label, after)


def assert_normalized(info, public_key):
    expected_der = spki_der(public_key)
    assert info.der == expected_der
    assert info.pem == public_key.public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode('ascii')
    assert info.pem.startswith('-----BEGIN PUBLIC KEY-----\n')
    assert base64.b64decode(info.der_b64) == expected_der
    assert info.fingerprint_sha256 == hashlib.sha256(expected_der).hexdigest()
    assert info.fingerprint_sha256_base64 == 'SHA256:' + base64.b64encode(hashlib.sha256(expected_der).digest()).decode().rstrip('=')
    # The normalized outputs read back as the same key.
    assert parse_public_key(info.pem).der == expected_der
    assert serialization.load_ssh_public_key(info.openssh.encode()).public_numbers() == public_key.public_numbers()
    assert jwk_public_numbers(info.jwk) == public_key.public_numbers()
    if isinstance(public_key, rsa.RSAPublicKey):
        assert (info.key_type, info.key_size, info.curve) == ('RSA', public_key.key_size, None)
    else:
        assert (info.key_type, info.key_size) == ('EC', public_key.curve.key_size)
        assert info.curve == {'secp256r1': 'P-256', 'secp384r1': 'P-384'}[public_key.curve.name]


def jwk_public_numbers(jwk):
    def integer(text):
        return int.from_bytes(base64.urlsafe_b64decode(text + '=' * (-len(text) % 4)), 'big')
    required = {'RSA': ('e', 'kty', 'n'), 'EC': ('crv', 'kty', 'x', 'y')}[jwk['kty']]
    canonical = json.dumps(dict((name, jwk[name]) for name in required), sort_keys=True, separators=(',', ':'))
    assert jwk['kid'] == base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).decode().rstrip('=')
    if jwk['kty'] == 'RSA':
        return rsa.RSAPublicNumbers(integer(jwk['e']), integer(jwk['n']))
    curve = {'P-256': ec.SECP256R1, 'P-384': ec.SECP384R1}[jwk['crv']]()
    size = {'P-256': 32, 'P-384': 48}[jwk['crv']]
    assert len(base64.urlsafe_b64decode(jwk['x'] + '==')) == size
    return ec.EllipticCurvePublicNumbers(integer(jwk['x']), integer(jwk['y']), curve)


# -- every header and body combination -----------------------------------------------------------

@HYPOTHESIS
@given(data=st.data(), public_key=public_keys(), label=st.sampled_from(LABELS))
def test_every_label_and_body_combination(data, public_key, label):
    forms = bodies(public_key)
    form = data.draw(st.sampled_from(sorted(forms)))
    text = data.draw(pem_text(forms[form], label))
    named = {'PUBLIC KEY': None, 'RSA PUBLIC KEY': 'RSA', 'EC PUBLIC KEY': 'EC'}[label]
    if named in (None, key_type(public_key)):
        info = parse_public_key(text)
        assert_normalized(info, public_key)
        assert info.source_label == label
        assert info.source_format == ('ec_point' if form.startswith('ec_point') else form)
    else:
        with pytest.raises(PublicKeyError) as error:
            parse_public_key(text)
        message = str(error.value)
        assert "the PEM label %r announces" % label in message
        assert ('an RSA %d-bit public key' % public_key.key_size if named == 'EC' else 'an EC P-') in message


@HYPOTHESIS
@given(public_key=public_keys(), as_bytes=st.booleans())
def test_der_input_and_bytes_input(public_key, as_bytes):
    for der in bodies(public_key).values():
        assert_normalized(parse_public_key(der), public_key)
    text = pem(spki_der(public_key), 'PUBLIC KEY')
    assert_normalized(parse_public_key(text.encode() if as_bytes else text), public_key)


@pytest.mark.parametrize('size', RSA_SIZES)
def test_service_rsa_pem_is_normalized(size):
    private_key = rsa_keys(size)[0]
    info = parse_public_key(service_pem(private_key))
    assert_normalized(info, private_key.public_key())
    assert info.candidate_algorithms() == ('rsa_oaep_%d_sha256' % size, 'rsa_pss_%d_sha256' % size,
                                           'rsa_pkcs1_%d_sha256' % size)
    assert info.implied_algorithm() is None
    assert info.openssh.startswith('ssh-rsa ')
    assert info.jwk_for('rsa_pss_%d_sha256' % size)['alg'] == 'PS256'
    assert info.jwk_for('rsa_pkcs1_%d_sha256' % size)['alg'] == 'RS256'
    assert info.jwk_for('rsa_oaep_%d_sha256' % size)['use'] == 'enc'
    assert 'alg' not in info.jwk_for(None)


@pytest.mark.parametrize('curve, algorithm, ssh_type', [('P-256', 'ec_p256_sha256', 'ecdsa-sha2-nistp256'),
                                                        ('P-384', 'ec_p384_sha384', 'ecdsa-sha2-nistp384')])
def test_service_ec_pem_is_normalized(curve, algorithm, ssh_type):
    private_key = ec_key(curve)
    info = parse_public_key(service_pem(private_key))
    assert_normalized(info, private_key.public_key())
    assert info.implied_algorithm() == algorithm
    assert info.openssh.startswith(ssh_type + ' ')
    assert info.jwk_for(algorithm)['alg'] == {'P-256': 'ES256', 'P-384': 'ES384'}[curve]
    info.check_algorithm(algorithm)
    with pytest.raises(PublicKeyError, match='does not fit algorithm rsa_pss_2048_sha256'):
        info.check_algorithm('rsa_pss_2048_sha256')


def test_rfc7638_thumbprint_vector():
    # RFC 7638 section 3.1.
    n = ('0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs'
         'tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5'
         'hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw')
    jwk = {'kty': 'RSA', 'n': n, 'e': 'AQAB', 'alg': 'RS256', 'kid': '2011-04-29'}
    assert _pem.jwk_thumbprint(jwk) == 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'
    numbers = rsa.RSAPublicNumbers(65537, int.from_bytes(base64.urlsafe_b64decode(n + '=='), 'big'))
    info = parse_public_key(pem(pkcs1_der(numbers.public_key()), 'RSA PUBLIC KEY'))
    assert info.jwk['kid'] == 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'


def test_render_formats():
    info = parse_public_key(service_pem(ec_key('P-256')))
    assert info.render('pem') == info.pem
    assert info.render('der') == info.der
    assert json.loads(info.render('jwk', 'ec_p256_sha256'))['alg'] == 'ES256'
    assert info.render('openssh') == info.openssh + '\n'
    with pytest.raises(PublicKeyError, match='format must be one of pem, der, jwk, openssh'):
        info.render('pkcs12')
    as_dict = info.as_dict('ec_p256_sha256')
    json.dumps(as_dict)
    assert as_dict['jwk']['alg'] == 'ES256' and as_dict['source_label'] == 'EC PUBLIC KEY'


# -- post-quantum keys ---------------------------------------------------------------------------

try:
    from cryptography.hazmat.primitives.asymmetric import mldsa
except ImportError:  # cryptography < 47
    mldsa = None
needs_mldsa = pytest.mark.skipif(mldsa is None, reason='the installed cryptography has no ML-DSA support')


@needs_mldsa
@pytest.mark.parametrize('name, parameter_set', [('MLDSA44PrivateKey', 'ML-DSA-44'), ('MLDSA65PrivateKey', 'ML-DSA-65'),
                                                 ('MLDSA87PrivateKey', 'ML-DSA-87')])
def test_ml_dsa_public_keys(name, parameter_set):
    public_key = getattr(mldsa, name).generate().public_key()
    info = parse_public_key(pem(spki_der(public_key), 'PUBLIC KEY'))
    assert info.der == spki_der(public_key)
    assert info.pem == pem(spki_der(public_key), 'PUBLIC KEY')
    assert (info.key_type, info.parameter_set, info.key_size) == ('ML-DSA', parameter_set, None)
    assert info.implied_algorithm() == parameter_set.lower().replace('-', '_')
    assert info.jwk is None and info.openssh is None and info.openssh_fingerprint is None
    with pytest.raises(PublicKeyError, match='has no JWK form'):
        info.render('jwk')
    with pytest.raises(PublicKeyError, match='has no OpenSSH form'):
        info.render('openssh')
    with pytest.raises(PublicKeyError, match="announces an RSA key, but the body is an ML-DSA"):
        parse_public_key(pem(spki_der(public_key), 'RSA PUBLIC KEY'))


@needs_mldsa
def test_ml_dsa_truncated_key_is_reported():
    def tlv(tag, content):
        length = len(content)
        encoded = bytes([length]) if length < 0x80 else bytes([0x82]) + length.to_bytes(2, 'big')
        return bytes([tag]) + encoded + content
    algorithm = tlv(0x30, tlv(0x06, bytes.fromhex('608648016503040311')))  # 2.16.840.1.101.3.4.3.17
    body = tlv(0x30, algorithm + tlv(0x03, b'\x00' + b'\x01' * 1311))
    with pytest.raises(PublicKeyError, match='ML-DSA-44 SubjectPublicKeyInfo whose key is 1311 bytes'):
        parse_public_key(bytes(body))


# -- garbage, truncated, mismatched --------------------------------------------------------------

def self_signed_certificate(private_key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'test')])
    import datetime
    now = datetime.datetime(2026, 1, 1)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private_key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(private_key, hashes.SHA256()))


def csr(private_key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'test')])
    return x509.CertificateSigningRequestBuilder().subject_name(name).sign(private_key, hashes.SHA256())


def bad_inputs():
    rsa_private = rsa_keys(2048)[0]
    ec_private = ec_key('P-256')
    rsa_pem = service_pem(rsa_private)
    ec_der = spki_der(ec_private.public_key())
    certificate = self_signed_certificate(ec_private)
    request = csr(ec_private)
    no_encryption = serialization.NoEncryption()
    return [
        ('empty string', '', 'no public key: the input is empty'),
        ('whitespace', '  \n', 'no public key: the input is empty'),
        ('empty bytes', b'', 'the key body is empty'),
        ('not PEM', 'hello world', r'no PEM block found in 11 characters of input'),
        ('empty PEM', '-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n', "the PEM block 'PUBLIC KEY' is empty"),
        ('empty EC PEM', '-----BEGIN EC PUBLIC KEY-----\n\n-----END EC PUBLIC KEY-----', "the PEM block 'EC PUBLIC KEY' is empty"),
        ('no END line', rsa_pem[:120], "the PEM block 'RSA PUBLIC KEY' has no END line"),
        ('mismatched END', rsa_pem.replace('END RSA', 'END EC'), "begins with 'RSA PUBLIC KEY' but ends with 'EC PUBLIC KEY'"),
        ('truncated body', rsa_pem[:-80] + '\n-----END RSA PUBLIC KEY-----\n',
         r"PEM block 'RSA PUBLIC KEY': the key body \(\d+ bytes\) is not valid DER: "
         r"the element at byte 0 declares 266 bytes but only \d+ are present \(truncated\)"),
        ('bad base64', '-----BEGIN PUBLIC KEY-----\n%%%%\n-----END PUBLIC KEY-----', "the body of the PEM block 'PUBLIC KEY' is not valid base64"),
        ('RSA body under EC label', rsa_pem.replace('RSA PUBLIC', 'EC PUBLIC'),
         "the PEM label 'EC PUBLIC KEY' announces an EC key, but the body is an RSA 2048-bit public key \\(PKCS#1 RSAPublicKey\\)"),
        ('EC body under RSA label', pem(ec_der, 'RSA PUBLIC KEY'),
         "the PEM label 'RSA PUBLIC KEY' announces an RSA key, but the body is an EC P-256 public key \\(SubjectPublicKeyInfo\\)"),
        ('EC point under RSA label', pem(ec_point(ec_private.public_key()), 'RSA PUBLIC KEY'),
         'but the body is an EC P-256 public key \\(a bare EC point\\)'),
        ('certificate PEM', certificate.public_bytes(serialization.Encoding.PEM).decode(),
         "found an X.509 certificate \\(PEM label 'CERTIFICATE'\\), not a public key"),
        ('certificate under PUBLIC KEY', pem(certificate.public_bytes(serialization.Encoding.DER), 'PUBLIC KEY'),
         "PEM block 'PUBLIC KEY': found an X.509 certificate, not a public key"),
        ('certificate DER', certificate.public_bytes(serialization.Encoding.DER), 'found an X.509 certificate, not a public key'),
        ('CSR', request.public_bytes(serialization.Encoding.PEM).decode(), 'found a certificate signing request'),
        ('CSR DER', request.public_bytes(serialization.Encoding.DER), 'found a certificate signing request'),
        ('PKCS#8 private key', rsa_private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, no_encryption).decode(),
         "found a private key \\(PEM label 'PRIVATE KEY'\\)"),
        ('RSA private key under a public label',
         pem(rsa_private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, no_encryption), 'RSA PUBLIC KEY'),
         'found a PKCS#1 RSA private key, not a public key'),
        ('PKCS#8 DER', rsa_private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, no_encryption),
         'found a PKCS#8 private key'),
        ('EC private DER', ec_private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, no_encryption),
         'found an EC \\(SEC 1\\) private key'),
        ('encrypted legacy PEM', '-----BEGIN RSA PUBLIC KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PUBLIC KEY-----',
         'carries RFC 1421 headers'),
        ('two blocks', rsa_pem + pem(ec_der, 'PUBLIC KEY'), 'found 2 PEM blocks \\(RSA PUBLIC KEY, PUBLIC KEY\\)'),
        ('unknown label', pem(ec_der, 'SOMETHING'), "found a PEM block labelled 'SOMETHING', which is not a public key"),
        ('Ed25519', pem(spki_der(ed25519.Ed25519PrivateKey.generate().public_key()), 'PUBLIC KEY'),
         'found a Ed25519 public key \\(SubjectPublicKeyInfo\\); Key Manager keys are RSA'),
        ('P-224', pem(spki_der(ec.generate_private_key(ec.SECP224R1()).public_key()), 'PUBLIC KEY'),
         'found an EC public key on curve 1.3.132.0.33; only P-256, P-384 and P-521 are supported'),
        ('random bytes', b'\x00\x01\x02garbage', 'neither DER .* nor an uncompressed or compressed'),
        ('trailing data', spki_der(ec_private.public_key()) + b'\x00', '1 bytes of unexpected data follow the DER SEQUENCE'),
        ('bad point', b'\x04' + b'\x01' * 64, 'looks like a P-256 point \\(65 bytes\\) but is not a point on that curve'),
        ('other type', 12, 'expected PEM text or DER bytes, got int'),
    ]


@pytest.mark.parametrize('name, data, message', bad_inputs(), ids=[case[0] for case in bad_inputs()])
def test_bad_inputs_name_what_was_found(name, data, message):
    with pytest.raises(PublicKeyError, match=message):
        parse_public_key(data)


def test_errors_never_echo_private_key_material():
    private = rsa_keys(2048)[0].private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()).decode()
    body_line = private.splitlines()[1]
    for data in (private, private.replace('PRIVATE', 'PUBLIC'), private.replace('-----BEGIN PRIVATE KEY-----', '')):
        with pytest.raises(PublicKeyError) as error:
            parse_public_key(data)
        assert body_line[:16] not in str(error.value)


@HYPOTHESIS
@given(public_key=public_keys(), cut=st.integers(min_value=1, max_value=200))
def test_any_truncation_is_an_error(public_key, cut):
    der = spki_der(public_key)
    assume(cut < len(der))
    with pytest.raises(PublicKeyError):
        parse_public_key(pem(der[:-cut], 'PUBLIC KEY'))


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=600), label=st.sampled_from(LABELS + ('CERTIFICATE', 'X')))
def test_garbage_never_crashes(data, label):
    for value in (data, pem(data, label)):
        try:
            parse_public_key(value)
        except PublicKeyError:
            pass


# -- other tools accept every normalized output --------------------------------------------------

def all_pool_keys():
    keys = [(('rsa%d-%d' % (size, index)), rsa_keys(size)[index].public_key()) for size in RSA_SIZES for index in range(2)]
    keys += [('ec-%s' % curve, ec_key(curve).public_key()) for curve in sorted(EC_CURVES)]
    return keys


@needs_openssl
@pytest.mark.parametrize('label', LABELS)
def test_openssl_accepts_every_normalized_output(tmp_path, label):
    checked = 0
    for name, public_key in all_pool_keys():
        for form, body in bodies(public_key).items():
            if label != 'PUBLIC KEY' and label.split()[0] != key_type(public_key):
                continue
            info = parse_public_key(pem(body, label))
            pem_path = tmp_path / ('%s-%s.pem' % (name, form))
            der_path = tmp_path / ('%s-%s.der' % (name, form))
            pem_path.write_text(info.pem)
            der_path.write_bytes(info.der)
            for path, inform in ((pem_path, 'PEM'), (der_path, 'DER')):
                result = run('openssl', 'pkey', '-pubin', '-inform', inform, '-in', str(path), '-outform', 'DER')
                assert result.returncode == 0, result.stderr
                assert result.stdout == info.der
            checked += 1
    assert checked >= 6


@needs_openssl
def test_openssl_rejects_the_service_labels_we_fix(tmp_path):
    """The reason this module exists: openssl refuses `EC PUBLIC KEY` (and reads `RSA PUBLIC KEY` only
    with the -RSAPublicKey_in flag), while the normalized PEM is read as is."""
    path = tmp_path / 'ec.pem'
    path.write_text(service_pem(ec_key('P-256')))
    assert run('openssl', 'pkey', '-pubin', '-in', str(path), '-noout').returncode != 0


@needs_ssh_keygen
def test_ssh_keygen_fingerprints_match(tmp_path):
    for name, public_key in all_pool_keys():
        info = parse_public_key(pem(spki_der(public_key), 'PUBLIC KEY'))
        path = tmp_path / ('%s.pub' % name)
        path.write_text(info.openssh + ' comment\n')
        result = run('ssh-keygen', '-l', '-E', 'sha256', '-f', str(path))
        assert result.returncode == 0, result.stderr
        assert result.stdout.split()[1].decode() == info.openssh_fingerprint
