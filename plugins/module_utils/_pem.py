# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Public key normalization. Pure: no HTTP, no Ansible. Private to this collection.

Key Manager serves public keys with non-standard PEM labels (API reference section 3.3):
``RSA PUBLIC KEY`` over a PKCS#1 RSAPublicKey, ``EC PUBLIC KEY`` over a SubjectPublicKeyInfo.
parse_public_key() reads any of these by content, not by label (SubjectPublicKeyInfo, then
PKCS#1, then a bare EC point), checks that a label naming a key type agrees with the body, and
returns a PublicKeyInfo with the forms other software accepts: the standard SPKI PEM
(``-----BEGIN PUBLIC KEY-----``), the DER, a JWK (RFC 7517, ``kid`` = RFC 7638 thumbprint), an
OpenSSH line, and SHA-256 fingerprints. Every failure is a PublicKeyError whose message names what
was found; key material in the input is never echoed back (a private key given by mistake stays
out of the message).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from ._algorithms import FACTS, fitting
from ._errors import UserError
from ._wire import b64decode

# cryptography is imported inside the functions that load keys, so importing this file costs nothing for
# the tasks that do not parse a key; callers check it first with _module.require_cryptography (modules)
# or _lookup.require_cryptography_plugin (plugins).

STANDARD_LABEL = 'PUBLIC KEY'

# Algorithm OIDs of SubjectPublicKeyInfo, and what they are.
OID_RSA = '1.2.840.113549.1.1.1'
OID_EC = '1.2.840.10045.2.1'
EC_CURVE_OIDS = {
    '1.2.840.10045.3.1.7': 'P-256',
    '1.3.132.0.34': 'P-384',
    '1.3.132.0.35': 'P-521',
}
ML_DSA_OIDS = {
    '2.16.840.1.101.3.4.3.17': 'ML-DSA-44',
    '2.16.840.1.101.3.4.3.18': 'ML-DSA-65',
    '2.16.840.1.101.3.4.3.19': 'ML-DSA-87',
}
ML_KEM_OIDS = {
    '2.16.840.1.101.3.4.4.1': 'ML-KEM-512',
    '2.16.840.1.101.3.4.4.2': 'ML-KEM-768',
    '2.16.840.1.101.3.4.4.3': 'ML-KEM-1024',
}
PQ_PUBLIC_KEY_BYTES = {
    'ML-DSA-44': 1312, 'ML-DSA-65': 1952, 'ML-DSA-87': 2592,
    'ML-KEM-512': 800, 'ML-KEM-768': 1184, 'ML-KEM-1024': 1568,
}
OTHER_OIDS = {
    '1.2.840.10040.4.1': 'DSA',
    '1.2.840.113549.1.3.1': 'DH',
    '1.2.840.10046.2.1': 'X9.42 DH',
    '1.2.840.113549.1.1.10': 'RSASSA-PSS (restricted)',
    '1.3.101.110': 'X25519',
    '1.3.101.111': 'X448',
    '1.3.101.112': 'Ed25519',
    '1.3.101.113': 'Ed448',
}

# curve name -> (field size in bytes, JWK crv, OpenSSH key type)
CURVES = {
    'P-256': (32, 'P-256', 'ecdsa-sha2-nistp256'),
    'P-384': (48, 'P-384', 'ecdsa-sha2-nistp384'),
    'P-521': (66, 'P-521', 'ecdsa-sha2-nistp521'),
}

# Key Manager algorithm -> JWK (alg, use), RFC 7518 names.
JWK_ALG = dict((name, row.jwk) for name, row in FACTS.items() if row.jwk)

FORMATS = ('pem', 'der', 'jwk', 'openssh')

_PEM_BLOCK = re.compile(
    r'-----BEGIN (?P<label>[^-\r\n]*)-----(?P<body>.*?)(?:-----END (?P<end>[^-\r\n]*)-----|\Z)', re.DOTALL)
_PEM_HEADER_LINE = re.compile(r'^[A-Za-z0-9-]+:')
_TYPE_WORDS = (
    ('RSA', 'RSA'), ('ECDSA', 'EC'), ('EC', 'EC'), ('ML-DSA', 'ML-DSA'), ('MLDSA', 'ML-DSA'),
    ('ML-KEM', 'ML-KEM'), ('MLKEM', 'ML-KEM'),
)


class PublicKeyError(UserError):
    """The input is not a public key this collection can normalize; the message says what was found."""


class PublicKeyInfo(object):
    """A normalized public key. `public_key` is the cryptography object (None for an ML-DSA/ML-KEM
    key when the installed cryptography cannot load it: the byte forms are still exact)."""

    def __init__(self, key_type, der, public_key=None, key_size=None, curve=None, parameter_set=None,
                 source_label=None, source_format=None):
        self.key_type = key_type
        self.der = der
        self.public_key = public_key
        self.key_size = key_size
        self.curve = curve
        self.parameter_set = parameter_set
        self.source_label = source_label
        self.source_format = source_format

    # -- standard forms --------------------------------------------------------------------------

    @property
    def pem(self):
        return der_to_pem(self.der, STANDARD_LABEL)

    @property
    def der_b64(self):
        return base64.b64encode(self.der).decode('ascii')

    @property
    def fingerprint_sha256(self):
        """Lowercase hex SHA-256 of the SPKI DER (``openssl pkey -pubin -outform DER | sha256sum``)."""
        return hashlib.sha256(self.der).hexdigest()

    @property
    def fingerprint_sha256_base64(self):
        """The same hash in OpenSSH's notation: ``SHA256:`` and unpadded base64."""
        return 'SHA256:' + base64.b64encode(hashlib.sha256(self.der).digest()).decode('ascii').rstrip('=')

    @property
    def openssh(self):
        """``ssh-rsa AAAA...`` / ``ecdsa-sha2-nistp256 AAAA...``, or None for key types OpenSSH lacks."""
        if self.key_type == 'RSA' or (self.key_type == 'EC' and self.curve in CURVES):
            from cryptography.hazmat.primitives import serialization
            return self.public_key.public_bytes(serialization.Encoding.OpenSSH,
                                                serialization.PublicFormat.OpenSSH).decode('ascii')
        return None

    @property
    def openssh_fingerprint(self):
        """What ``ssh-keygen -l -E sha256`` prints: SHA-256 of the OpenSSH key blob, or None."""
        line = self.openssh
        if line is None:
            return None
        blob = base64.b64decode(line.split()[1])
        return 'SHA256:' + base64.b64encode(hashlib.sha256(blob).digest()).decode('ascii').rstrip('=')

    @property
    def jwk(self):
        """RFC 7517 JWK with kid = RFC 7638 thumbprint; None for key types without a registered JWK form."""
        if self.key_type == 'RSA':
            numbers = self.public_key.public_numbers()
            members = {'kty': 'RSA', 'n': _b64url_int(numbers.n), 'e': _b64url_int(numbers.e)}
        elif self.key_type == 'EC' and self.curve in CURVES:
            numbers = self.public_key.public_numbers()
            size = CURVES[self.curve][0]
            members = {'kty': 'EC', 'crv': CURVES[self.curve][1],
                       'x': _b64url(numbers.x.to_bytes(size, 'big')), 'y': _b64url(numbers.y.to_bytes(size, 'big'))}
        else:
            return None
        jwk = dict(members)
        jwk['kid'] = jwk_thumbprint(members)
        return jwk

    def candidate_algorithms(self):
        """The Key Manager algorithms this public key can belong to."""
        shape = {'RSA': self.key_size, 'EC': self.curve}.get(self.key_type, self.parameter_set)
        return fitting(self.key_type, shape)

    def implied_algorithm(self):
        """The algorithm when the public key alone determines it (EC, ML-DSA, ML-KEM), else None (RSA)."""
        candidates = self.candidate_algorithms()
        return candidates[0] if len(candidates) == 1 else None

    def check_algorithm(self, algorithm):
        """Raise PublicKeyError when this public key cannot belong to a key of `algorithm`."""
        if algorithm not in self.candidate_algorithms():
            raise PublicKeyError('the public key is %s, which does not fit algorithm %s' % (self.describe(), algorithm))

    def jwk_for(self, algorithm=None):
        """The JWK, with RFC 7518 `alg` and `use` when the Key Manager algorithm is known."""
        jwk = self.jwk
        if jwk is not None and algorithm in JWK_ALG:
            jwk['alg'], jwk['use'] = JWK_ALG[algorithm]
        return jwk

    def describe(self):
        if self.key_type == 'RSA':
            return 'an RSA %s-bit public key' % self.key_size
        if self.key_type == 'EC':
            return 'an EC %s public key' % self.curve
        return 'an %s public key' % (self.parameter_set or self.key_type)

    def render(self, fmt, algorithm=None):
        """The key in one of FORMATS: str for pem/jwk (JSON, sorted keys)/openssh, bytes for der."""
        if fmt == 'pem':
            return self.pem
        if fmt == 'der':
            return self.der
        if fmt == 'jwk':
            jwk = self.jwk_for(algorithm)
            if jwk is None:
                raise PublicKeyError('%s has no JWK form (JWK has no registered key type for it); use format pem or der'
                                     % self.describe())
            return json.dumps(jwk, sort_keys=True, indent=2) + '\n'
        if fmt == 'openssh':
            line = self.openssh
            if line is None:
                raise PublicKeyError('%s has no OpenSSH form; use format pem or der' % self.describe())
            return line + '\n'
        raise PublicKeyError('format must be one of %s, got %r' % (', '.join(FORMATS), fmt))

    def as_dict(self, algorithm=None):
        """Every form, JSON-serializable (the modules' and the lookup's return shape)."""
        return {
            'pem': self.pem,
            'der_b64': self.der_b64,
            'jwk': self.jwk_for(algorithm),
            'openssh': self.openssh,
            'openssh_fingerprint': self.openssh_fingerprint,
            'fingerprint_sha256': self.fingerprint_sha256,
            'fingerprint_sha256_base64': self.fingerprint_sha256_base64,
            'key_type': self.key_type,
            'key_size': self.key_size,
            'curve': self.curve,
            'parameter_set': self.parameter_set,
            'source_label': self.source_label,
            'source_format': self.source_format,
        }


# -- encodings -----------------------------------------------------------------------------------

def der_to_pem(der, label=STANDARD_LABEL):
    body = base64.b64encode(der).decode('ascii')
    lines = [body[index:index + 64] for index in range(0, len(body), 64)]
    return '-----BEGIN %s-----\n%s\n-----END %s-----\n' % (label, '\n'.join(lines), label)


def _b64url(data):
    return base64.urlsafe_b64encode(data).decode('ascii').rstrip('=')


def _b64url_int(value):
    return _b64url(value.to_bytes(max(1, (value.bit_length() + 7) // 8), 'big'))


def jwk_thumbprint(jwk):
    """RFC 7638: SHA-256 over the required members, sorted, no whitespace; base64url without padding."""
    required = {'RSA': ('e', 'kty', 'n'), 'EC': ('crv', 'kty', 'x', 'y'), 'OKP': ('crv', 'kty', 'x'),
                'oct': ('k', 'kty')}
    kty = jwk.get('kty')
    if kty not in required:
        raise PublicKeyError('cannot compute a JWK thumbprint for key type %r' % (kty,))
    canonical = json.dumps(dict((name, jwk[name]) for name in required[kty]), sort_keys=True, separators=(',', ':'))
    return _b64url(hashlib.sha256(canonical.encode('utf-8')).digest())


# -- minimal DER reading (structure only; cryptography does the real parsing) --------------------

class _Tlv(object):
    def __init__(self, tag, start, end, header_end):
        self.tag = tag
        self.start = start            # first byte of the tag
        self.header_end = header_end  # first byte of the content
        self.end = end                # one past the last byte of the content


class _DerError(Exception):
    pass


def _read_tlv(data, offset, limit):
    if offset >= limit:
        raise _DerError('no element at byte %d' % offset)
    tag = data[offset]
    if tag & 0x1f == 0x1f:
        raise _DerError('multi-byte tags are not used in keys (byte %d)' % offset)
    if offset + 1 >= limit:
        raise _DerError('the element at byte %d has no length (truncated)' % offset)
    first = data[offset + 1]
    position = offset + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7f
        if count == 0 or count > 4:
            raise _DerError('the element at byte %d has an invalid length encoding' % offset)
        if position + count > limit:
            raise _DerError('the element at byte %d has a truncated length' % offset)
        length = int.from_bytes(data[position:position + count], 'big')
        position += count
    if position + length > limit:
        raise _DerError('the element at byte %d declares %d bytes but only %d are present (truncated)'
                        % (offset, length, limit - position))
    return _Tlv(tag, offset, position + length, position)


def _children(data, tlv):
    children, offset = [], tlv.header_end
    while offset < tlv.end:
        child = _read_tlv(data, offset, tlv.end)
        children.append(child)
        offset = child.end
    return children


def _oid(data, tlv):
    raw = data[tlv.header_end:tlv.end]
    if not raw:
        raise _DerError('empty OBJECT IDENTIFIER')
    parts, value = [], 0
    for byte in raw:
        value = (value << 7) | (byte & 0x7f)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    first = min(parts[0] // 40, 2)
    return '.'.join(str(number) for number in [first, parts[0] - 40 * first] + parts[1:])


def _classify(der):
    """(form, details): form is spki (details: algorithm OID, parameter OID or None), pkcs1 or ec_point.
    Anything else raises PublicKeyError saying what it looks like."""
    if not der:
        raise PublicKeyError('the key body is empty')
    if der[0] == 0x30:
        try:
            outer = _read_tlv(der, 0, len(der))
            if outer.end != len(der):
                raise _DerError('%d bytes of unexpected data follow the DER SEQUENCE' % (len(der) - outer.end))
            children = _children(der, outer)
        except _DerError as exc:
            raise PublicKeyError('the key body (%d bytes) is not valid DER: %s' % (len(der), exc))
        return _classify_sequence(der, children)
    if _ec_point_curve(der):
        return 'ec_point', None
    raise PublicKeyError('the key body (%d bytes, first byte 0x%02x) is neither DER (a SubjectPublicKeyInfo or a '
                         'PKCS#1 RSAPublicKey) nor an uncompressed or compressed P-256/P-384/P-521 point'
                         % (len(der), der[0]))


def _classify_sequence(der, children):
    tags = [child.tag for child in children]
    if tags == [0x30, 0x03]:
        try:
            algorithm = _children(der, children[0])
        except _DerError as exc:
            raise PublicKeyError('the key body is a DER SEQUENCE with an invalid AlgorithmIdentifier: %s' % exc)
        if algorithm and algorithm[0].tag == 0x06:
            parameter = _oid(der, algorithm[1]) if len(algorithm) > 1 and algorithm[1].tag == 0x06 else None
            return 'spki', (_oid(der, algorithm[0]), parameter)
    if tags == [0x02, 0x02]:
        return 'pkcs1', None
    if len(tags) >= 9 and all(tag == 0x02 for tag in tags):
        raise PublicKeyError('found a PKCS#1 RSA private key, not a public key; give the public key only')
    if len(tags) >= 3 and tags[:3] == [0x02, 0x30, 0x04]:
        raise PublicKeyError('found a PKCS#8 private key, not a public key; give the public key only')
    if len(tags) >= 2 and tags[:2] == [0x02, 0x04]:
        raise PublicKeyError('found an EC (SEC 1) private key, not a public key; give the public key only')
    if len(tags) == 3 and tags[0] == 0x30 and tags[1] == 0x30 and tags[2] == 0x03:
        try:
            inner = _children(der, children[0])
        except _DerError:
            inner = []
        if len(inner) == 4 and inner[0].tag == 0x02 and inner[-1].tag == 0xa0:
            raise PublicKeyError('found a certificate signing request, not a public key')
        if inner and (inner[0].tag == 0xa0 or len(inner) >= 6):
            raise PublicKeyError('found an X.509 certificate, not a public key; extract its public key first '
                                 '(openssl x509 -pubkey -noout)')
    raise PublicKeyError('the key body is a DER SEQUENCE of %d element(s) that is neither a SubjectPublicKeyInfo nor '
                         'a PKCS#1 RSAPublicKey' % len(children))


def _ec_point_curve(data):
    lengths = {65: 'P-256', 97: 'P-384', 133: 'P-521', 33: 'P-256', 49: 'P-384', 67: 'P-521'}
    curve = lengths.get(len(data))
    if curve is None:
        return None
    if data[0] == 0x04 and len(data) in (65, 97, 133):
        return curve
    if data[0] in (0x02, 0x03) and len(data) in (33, 49, 67):
        return curve
    return None


# -- PEM -----------------------------------------------------------------------------------------

def split_pem(text):
    """[(label, der bytes)] of every PEM block; PublicKeyError on malformed blocks."""
    blocks = []
    for match in _PEM_BLOCK.finditer(text):
        label = match.group('label').strip()
        if match.group('end') is None:
            raise PublicKeyError('the PEM block %r has no END line (truncated input?)' % label)
        if match.group('end').strip() != label:
            raise PublicKeyError('the PEM block begins with %r but ends with %r' % (label, match.group('end').strip()))
        blocks.append((label, _pem_body(label, match.group('body'))))
    return blocks


def _pem_body(label, body):
    lines = [line.strip() for line in body.splitlines()]
    if any(_PEM_HEADER_LINE.match(line) for line in lines):
        # RFC 1421 headers (Proc-Type, DEK-Info) appear only on encrypted private keys.
        raise PublicKeyError('the PEM block %r carries RFC 1421 headers (an encrypted private key?), not a public key'
                             % label)
    text = ''.join(lines)
    if not text:
        raise PublicKeyError('the PEM block %r is empty' % label)
    try:
        return b64decode(text)
    except ValueError:
        raise PublicKeyError('the body of the PEM block %r is not valid base64 (%d characters)' % (label, len(text)))


def label_key_type(label):
    """(kind, key type named by the label or None); kind is public, private, certificate, csr or other."""
    upper = label.upper()
    if 'PRIVATE KEY' in upper:
        return 'private', None
    if upper in ('CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'):
        return 'certificate', None
    if 'CERTIFICATE REQUEST' in upper:
        return 'csr', None
    if upper == 'PUBLIC KEY':
        return 'public', None
    if upper.endswith(' PUBLIC KEY'):
        word = upper[:-len(' PUBLIC KEY')].strip()
        for prefix, key_type in _TYPE_WORDS:
            if word == prefix:
                return 'public', key_type
        return 'public', word
    return 'other', None


# -- the entry point -----------------------------------------------------------------------------

def parse_public_key(data):
    """A PublicKeyInfo from PEM text (any public key label) or from DER/EC point bytes."""
    label = None
    if isinstance(data, bytes):
        if b'-----BEGIN' in data:
            try:
                data = data.decode('ascii')
            except UnicodeDecodeError:
                raise PublicKeyError('the PEM input contains non-ASCII bytes')
        else:
            der = data
    if isinstance(data, str):
        if not data.strip():
            raise PublicKeyError('no public key: the input is empty')
        blocks = split_pem(data)
        if not blocks:
            raise PublicKeyError('no PEM block found in %d characters of input (expected a -----BEGIN PUBLIC KEY----- '
                                 'line)' % len(data))
        if len(blocks) > 1:
            raise PublicKeyError('found %d PEM blocks (%s); expected exactly one public key'
                                 % (len(blocks), ', '.join(label for label, _body in blocks)))
        label, der = blocks[0]
        kind, _named = label_key_type(label)
        if kind == 'private':
            raise PublicKeyError('found a private key (PEM label %r), not a public key; give the public key only' % label)
        if kind == 'certificate':
            raise PublicKeyError('found an X.509 certificate (PEM label %r), not a public key; extract its public key '
                                 'first (openssl x509 -pubkey -noout)' % label)
        if kind == 'csr':
            raise PublicKeyError('found a certificate signing request (PEM label %r), not a public key' % label)
        if kind == 'other':
            raise PublicKeyError('found a PEM block labelled %r, which is not a public key' % label)
    elif not isinstance(data, bytes):
        raise PublicKeyError('expected PEM text or DER bytes, got %s' % type(data).__name__)
    try:
        info = _load(der)
    except PublicKeyError as exc:
        if label is None:
            raise
        raise PublicKeyError('PEM block %r: %s' % (label, exc))
    info.source_label = label
    if label is not None:
        _check_label(label, info)
    return info


def _check_label(label, info):
    _kind, named = label_key_type(label)
    if named is None or named == info.key_type:
        return
    raise PublicKeyError('the PEM label %r announces %s key, but the body is %s (%s)' % (
        label, _article(named), info.describe(), _FORM_NAMES[info.source_format]))


def _article(word):
    return ('an %s' if word[:1] in 'AEFHILMNORSX' else 'a %s') % word


_FORM_NAMES = {'spki': 'SubjectPublicKeyInfo', 'pkcs1': 'PKCS#1 RSAPublicKey', 'ec_point': 'a bare EC point'}


def _load(der):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    form, details = _classify(der)
    if form == 'ec_point':
        curve = _ec_point_curve(der)
        curve_class = {'P-256': ec.SECP256R1, 'P-384': ec.SECP384R1, 'P-521': ec.SECP521R1}[curve]
        try:
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(curve_class(), der)
        except ValueError:
            raise PublicKeyError('the key body looks like a %s point (%d bytes) but is not a point on that curve'
                                 % (curve, len(der)))
        return _from_object(public_key, 'ec_point')
    if form == 'pkcs1':
        try:
            public_key = serialization.load_der_public_key(der)
        except (ValueError, TypeError) as exc:
            raise PublicKeyError('the key body is shaped like a PKCS#1 RSAPublicKey but is not a valid RSA key (%s)'
                                 % _short(exc))
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise PublicKeyError('the key body is shaped like a PKCS#1 RSAPublicKey but did not load as RSA')
        return _from_object(public_key, 'pkcs1')
    algorithm_oid, parameter_oid = details
    if algorithm_oid in ML_DSA_OIDS or algorithm_oid in ML_KEM_OIDS:
        return _load_post_quantum(der, algorithm_oid)
    if algorithm_oid not in (OID_RSA, OID_EC):
        name = OTHER_OIDS.get(algorithm_oid, 'algorithm OID %s' % algorithm_oid)
        raise PublicKeyError('found a %s public key (SubjectPublicKeyInfo); Key Manager keys are RSA, EC P-256/P-384, '
                             'ML-DSA or ML-KEM' % name)
    if algorithm_oid == OID_EC and parameter_oid not in EC_CURVE_OIDS:
        raise PublicKeyError('found an EC public key on curve %s; only P-256, P-384 and P-521 are supported'
                             % (parameter_oid or 'given by explicit parameters'))
    try:
        public_key = serialization.load_der_public_key(der)
    except (ValueError, TypeError) as exc:
        raise PublicKeyError('the key body is a SubjectPublicKeyInfo for %s that does not load (%s)'
                             % ('RSA' if algorithm_oid == OID_RSA else 'EC', _short(exc)))
    return _from_object(public_key, 'spki')


def _short(exc):
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]


def _from_object(public_key, source_format):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if isinstance(public_key, rsa.RSAPublicKey):
        return PublicKeyInfo('RSA', der, public_key, key_size=public_key.key_size, source_format=source_format)
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        curve = {'secp256r1': 'P-256', 'secp384r1': 'P-384', 'secp521r1': 'P-521'}.get(public_key.curve.name)
        if curve is None:
            raise PublicKeyError('found an EC public key on curve %s; only P-256, P-384 and P-521 are supported'
                                 % public_key.curve.name)
        return PublicKeyInfo('EC', der, public_key, key_size=public_key.curve.key_size, curve=curve,
                             source_format=source_format)
    raise PublicKeyError('found a %s, which is not a Key Manager key type' % type(public_key).__name__)


def _load_post_quantum(der, algorithm_oid):
    """ML-DSA / ML-KEM: the SPKI is already standard, so the byte forms are exact even when the installed
    cryptography cannot load the key (public_key is then None and local verification is unavailable)."""
    if algorithm_oid in ML_DSA_OIDS:
        key_type, parameter_set = 'ML-DSA', ML_DSA_OIDS[algorithm_oid]
    else:
        key_type, parameter_set = 'ML-KEM', ML_KEM_OIDS[algorithm_oid]
    expected = PQ_PUBLIC_KEY_BYTES[parameter_set]
    found = _spki_key_bytes(der)
    if found != expected:
        raise PublicKeyError('the key body is a %s SubjectPublicKeyInfo whose key is %d bytes; %s public keys are %d '
                             'bytes' % (parameter_set, found, parameter_set, expected))
    from cryptography.hazmat.primitives import serialization
    try:
        public_key = serialization.load_der_public_key(der)
    except Exception:  # UnsupportedAlgorithm on cryptography/OpenSSL builds without FIPS 203/204
        public_key = None
    return PublicKeyInfo(key_type, der, public_key, parameter_set=parameter_set, source_format='spki')


def _spki_key_bytes(der):
    """Length of the key in a SubjectPublicKeyInfo's BIT STRING (without the unused-bits byte)."""
    outer = _read_tlv(der, 0, len(der))
    bit_string = _children(der, outer)[1]
    return bit_string.end - bit_string.header_end - 1
