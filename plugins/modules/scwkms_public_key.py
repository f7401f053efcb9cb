#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: scwkms_public_key
short_description: Get the public key of a Scaleway Key Manager key in the formats other software accepts
version_added: 0.1.0
description:
  - Reads the public key of an asymmetric Key Manager key (signing or encryption) and returns it normalized.
  - Key Manager serves public keys with non-standard PEM labels (C(RSA PUBLIC KEY) over a PKCS#1 body,
    C(EC PUBLIC KEY) over a SubjectPublicKeyInfo body) that OpenSSL and most libraries reject. This module reads
    the key by content, not by label, and returns the standard SubjectPublicKeyInfo PEM (C(-----BEGIN PUBLIC KEY-----)),
    the DER, a JWK, an OpenSSH line, fingerprints, and what kind of key it is.
  - With O(dest), writes the key to a file in one O(format).
author:
  - Scaleway Key Manager collection maintainers (@scwkms)
extends_documentation_fragment:
  - scwkms.key_manager.api
  - scwkms.key_manager.attributes
  - scwkms.key_manager.asymmetric
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    details:
      - In check mode the public key is still read (reading changes nothing); O(dest) is compared but not written.
  diff_mode:
    support: full
    details:
      - With O(dest), shows the file content before and after (DER as base64), and changed file attributes.
  idempotent:
    support: full
    details:
      - A key's public key never changes (asymmetric keys are not rotatable), so O(dest) is rewritten only when its
        content or attributes differ.
options:
  include_key:
    description:
      - Also read the key itself when it is given by id (one more request), to return RV(key) and the exact
        RV(algorithm) of RSA keys.
      - An RSA public key does not tell whether the key is for RSA-PSS, RSA PKCS#1 v1.5 or RSA-OAEP, so without the
        key RV(algorithm) is V(null) for RSA keys given by id, and the JWK has no C(alg) or C(use) member.
      - A key given by name is always read (the list request that finds it returns it), whatever this option says.
    type: bool
    default: false
  dest:
    description:
      - Write the public key to this file, in O(format). The file is rewritten only when its content differs, then
        O(mode), O(owner), O(group) and the other file options are applied.
      - The directory must exist.
    type: path
  format:
    description:
      - Format of the O(dest) file.
      - V(pem) is the standard SubjectPublicKeyInfo PEM; V(der) the same as binary DER; V(jwk) an RFC 7517 JSON Web
        Key with C(kid) set to its RFC 7638 thumbprint; V(openssh) one C(authorized_keys) line.
      - ML-DSA and ML-KEM keys have no V(jwk) or V(openssh) form.
    type: str
    choices: [pem, der, jwk, openssh]
    default: pem
notes:
  - "API requests: one (GET public key) for a key given by id; two (list keys by name, GET public key) for a key
    given by name; one more (GET key) with O(include_key=true) and a key given by id. When the public key cannot be
    read, one more GET of the key explains why (for instance a symmetric key, which has no public key)."
  - The returned PEM, DER and fingerprints are byte for byte what C(openssl pkey -pubin) produces for the same key.
requirements:
  - cryptography
seealso:
  - module: scwkms.key_manager.scwkms_key
  - module: scwkms.key_manager.scwkms_sign
  - module: scwkms.key_manager.scwkms_verify
  - plugin: scwkms.key_manager.scwkms_public_key
    plugin_type: lookup
  - name: RFC 7517 (JSON Web Key)
    description: The JWK format of RV(jwk).
    link: https://www.rfc-editor.org/rfc/rfc7517
  - name: RFC 7638 (JWK thumbprint)
    description: How the C(kid) of RV(jwk) is computed.
    link: https://www.rfc-editor.org/rfc/rfc7638
'''

EXAMPLES = r'''
- name: Read the public key of a signing key
  scwkms.key_manager.scwkms_public_key:
    key: "scwkms:key-id=2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a;region=fr-par"
  register: release_key

- name: Publish it for openssl users
  ansible.builtin.copy:
    content: "{{ release_key.pem }}"
    dest: /srv/www/release-signing.pem
    mode: "0644"

- name: Write a JWK for a JWS verifier, by key name
  scwkms.key_manager.scwkms_public_key:
    key: token-signing
    project_id: 105bdce1-64c0-48ab-899d-868455867ecf
    dest: /etc/verifier/token-signing.jwk.json
    format: jwk
    mode: "0644"

- name: Trust an ECDSA key for SSH certificates
  scwkms.key_manager.scwkms_public_key:
    key: 2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a
    dest: /etc/ssh/trusted_user_ca_keys
    format: openssh
    owner: root
    group: root
    mode: "0644"
'''

RETURN = r'''
key_id: {description: The key's id., returned: success, type: str, sample: 2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a}
region: {description: The key's region., returned: success, type: str, sample: fr-par}
kms_uri: {description: The key as a C(scwkms:) URI., returned: success, type: str, sample: "scwkms:key-id=2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a;region=fr-par"}
pem:
  description: The standard SubjectPublicKeyInfo PEM (C(-----BEGIN PUBLIC KEY-----)).
  returned: success
  type: str
  sample: "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE...\n-----END PUBLIC KEY-----\n"
pem_original:
  description: The PEM exactly as Key Manager served it (possibly with a C(RSA PUBLIC KEY) or C(EC PUBLIC KEY) label).
  returned: success
  type: str
  sample: "-----BEGIN EC PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE...\n-----END EC PUBLIC KEY-----\n"
der_b64:
  description: The SubjectPublicKeyInfo DER, base64-encoded.
  returned: success
  type: str
  sample: MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE...
jwk:
  description:
    - RFC 7517 JSON Web Key, with C(kid) set to the RFC 7638 thumbprint.
    - Has C(alg) (V(ES256), V(ES384), V(PS256), V(RS256) or V(RSA-OAEP-256)) and C(use) (V(sig) or V(enc)) when
      RV(algorithm) is known.
    - V(null) for ML-DSA and ML-KEM keys, which have no registered JWK key type.
  returned: success
  type: dict
  sample: {"kty": "EC", "crv": "P-256", "x": "UPDGSCzhfLbiezju7Q4TQPJp05pzAz3rbRd6il7xh3w",
           "y": "1oRixIA96TY0yxE_5GzDHX4QSvzIXyIHCdi-_aEepIU", "kid": "Tqm2Z3k3B0hcKdqF5WVgpEFlSJcnAmYH1xXRYc7w6Io",
           "alg": "ES256", "use": "sig"}
openssh:
  description: The key as one OpenSSH public key line (C(ssh-rsa ...), C(ecdsa-sha2-nistp256 ...)); V(null) for ML-DSA and ML-KEM keys.
  returned: success
  type: str
  sample: ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFDwxkgs4Xy24ns47u0OE0Dy...
openssh_fingerprint:
  description: What C(ssh-keygen -l -E sha256) prints for RV(openssh); V(null) when there is no OpenSSH form.
  returned: success
  type: str
  sample: SHA256:YCLbFWS2ZQYeu7Gswvq0GRDrKi+3DzhxixOIs2f4/yc
fingerprint_sha256:
  description: Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER (C(openssl pkey -pubin -outform DER | sha256sum)).
  returned: success
  type: str
  sample: a6e93daea90478e8c8b66e1edaba689cec45d7274d085c0ad1d818a3b8dd155f
fingerprint_sha256_base64:
  description:
    - The same SHA-256 of the SubjectPublicKeyInfo DER in OpenSSH's notation (C(SHA256:) and unpadded base64).
    - This is not RV(openssh_fingerprint), which hashes the OpenSSH key blob instead.
  returned: success
  type: str
  sample: SHA256:puk9rqkEeOjItm4e2rponOxF1ydNCFwK0dgYo7jdFV8
key_type:
  description: V(RSA), V(EC), V(ML-DSA) or V(ML-KEM).
  returned: success
  type: str
  sample: EC
key_size:
  description: Modulus size in bits for RSA keys, curve size in bits for EC keys, V(null) otherwise.
  returned: success
  type: int
  sample: 256
curve:
  description: V(P-256) or V(P-384) for EC keys, V(null) otherwise.
  returned: success
  type: str
  sample: P-256
parameter_set:
  description: V(ML-DSA-44), V(ML-DSA-65), V(ML-DSA-87), V(ML-KEM-768) or V(ML-KEM-1024); V(null) for RSA and EC keys.
  returned: success
  type: str
  sample: null
algorithm:
  description:
    - The Key Manager algorithm of the key, when known. It is known when the key was read (a name, or O(include_key))
      or when the public key determines it (EC, ML-DSA and ML-KEM keys); otherwise V(null) (RSA keys given by id).
  returned: success
  type: str
  sample: ec_p256_sha256
key:
  description: The key as M(scwkms.key_manager.scwkms_key) returns it; only when it was read (a name, or O(include_key=true)).
  returned: when the key was read
  type: dict
  sample: {"id": "2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a", "name": "release-signing", "algorithm": "ec_p256_sha256",
           "usage": "asymmetric_signing", "state": "enabled"}
dest:
  description: The file written, when O(dest) was given.
  returned: when O(dest) was given
  type: str
  sample: /etc/verifier/token-signing.jwk.json
'''

from ansible_collections.scwkms.key_manager.plugins.module_utils._dest import read_existing, write_dest
from ansible_collections.scwkms.key_manager.plugins.module_utils._keyspec import normalize_key
from ansible_collections.scwkms.key_manager.plugins.module_utils._module import (
    build_module, client_from_module, module_errors, require_cryptography,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._pem import FORMATS
from ansible_collections.scwkms.key_manager.plugins.module_utils._public_key import fetch_public_key, public_key_result
from ansible_collections.scwkms.key_manager.plugins.module_utils._target import key_option, locate


def argument_spec():
    return dict(
        key=key_option(),
        include_key=dict(type='bool', default=False),
        dest=dict(type='path'),
        format=dict(type='str', choices=list(FORMATS), default='pem'),
    )


def write_key(module, info, algorithm, result):
    dest = module.params['dest']
    content = info.render(module.params['format'], algorithm)
    if not isinstance(content, bytes):
        content = content.encode('utf-8')
    current = read_existing(dest)
    changed, diffs = write_dest(module, dest, content, current, binary=module.params['format'] == 'der')
    result.update(changed=changed, dest=dest)
    if module._diff:
        result['diff'] = diffs


def main():
    module = build_module(argument_spec(), supports_check_mode=True, add_file_common_args=True)
    require_cryptography(module)
    params = module.params
    result = dict(changed=False)
    with module_errors(module, **result):
        settings, client = client_from_module(module)
        target = locate(client, settings, params['key'], params['region'], read_key=params['include_key'])
        info, described = public_key_result(fetch_public_key(client, target), target)
        result.update(described)
        if target.key is not None:
            result['key'] = normalize_key(target.key)
        if params['dest']:
            write_key(module, info, described['algorithm'], result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
