#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: scwkms_verify
short_description: Verify a signature made with a Scaleway Key Manager key
version_added: 0.1.0
description:
  - Verifies a signature of a text O(content), bytes as O(content_b64), a file O(path) (read in chunks) or a
    precomputed O(digest), made by a Key Manager signing key.
  - By default the signature is verified locally with the key's normalized public key (one request, for the public
    key). With O(remote=true) the service's verify endpoint decides.
  - An invalid signature is a result (RV(valid=false)), not a failure; use C(failed_when) to fail on it.
author:
  - Scaleway Key Manager collection maintainers (@scwkms)
extends_documentation_fragment:
  - scwkms.key_manager.api
  - scwkms.key_manager.attributes
  - scwkms.key_manager.asymmetric
  - scwkms.key_manager.asymmetric.signing_input
  - scwkms.key_manager.algorithm.signing
attributes:
  check_mode:
    support: full
    details:
      - The module only verifies, so check mode changes nothing in what it does.
  diff_mode:
    support: none
  idempotent:
    support: full
options:
  algorithm:
    description:
      - The key's algorithm, when you know it.
      - Locally, without it, a key given by id is verified as its public key allows; an EC key has one algorithm, and
        an RSA signature is accepted under RSA-PSS (any salt length) or RSA PKCS#1 v1.5, whichever it is (RV(algorithm)
        says which). Give it to accept one scheme only.
      - With O(remote=true) and a key given by id, it saves the request that reads the key.
      - With a key given by name, the key is read anyway and must have this algorithm.
  signature:
    description:
      - The signature, base64 (standard or URL-safe, padding optional, as JWS uses).
      - ECDSA signatures may be ASN.1 DER or raw C(r||s).
    type: str
  signature_path:
    description:
      - A file holding the binary signature, as M(scwkms.key_manager.scwkms_sign) and C(openssl dgst -sign) write it.
    type: path
  remote:
    description:
      - Verify through the Key Manager verify endpoint instead of locally. The key must then be enabled.
    type: bool
    default: false
notes:
  - "API requests, local verification: one (GET public key) for a key given by id; two (list by name, GET public key)
    for a key given by name. Remote verification: one (verify) for a key given by id with O(algorithm), two (GET key or
    list by name, then verify) otherwise."
  - Local verification of ML-DSA signatures needs a cryptography package with ML-DSA support, and assumes the service
    signs the digest bytes as the ML-DSA message, which Scaleway does not document; use O(remote=true) when in doubt.
requirements:
  - cryptography
seealso:
  - module: scwkms.key_manager.scwkms_sign
  - module: scwkms.key_manager.scwkms_public_key
'''

EXAMPLES = r'''
- name: Check a release signature before installing
  scwkms.key_manager.scwkms_verify:
    key: "scwkms:key-id=2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a;region=fr-par"
    path: /tmp/release-1.4.0.tar.gz
    signature_path: /tmp/release-1.4.0.tar.gz.sig
  register: release
  failed_when: not release.valid

- name: Ask Key Manager itself
  scwkms.key_manager.scwkms_verify:
    key: token-signing
    content: "{{ signing_input }}"
    signature: "{{ jws_signature }}"
    remote: true
  register: remote_check
'''

RETURN = r'''
key_id: {description: The key's id., returned: success, type: str, sample: 2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a}
region: {description: The key's region., returned: success, type: str, sample: fr-par}
kms_uri: {description: The key as a C(scwkms:) URI., returned: success, type: str, sample: "scwkms:key-id=2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a;region=fr-par"}
valid:
  description: Whether the signature is valid for the input under this key.
  returned: success
  type: bool
  sample: true
reason:
  description: Why the signature is not valid; V(null) when it is.
  returned: success
  type: str
  sample: the signature does not verify with this public key
algorithm:
  description:
    - The algorithm the signature was checked with. For an RSA key given by id without O(algorithm), the scheme that
      verified, or V(null) when neither did.
  returned: success
  type: str
  sample: rsa_pss_2048_sha256
digest: {description: The digest of the message in lowercase hex., returned: success, type: str,
         sample: fb0c460c93cbd02d0ad341411e85ec8ccd3169860f4ed20749f75f8e5bd010cb}
digest_algorithm: {description: V(sha256) or V(sha384)., returned: success, type: str, sample: sha256}
remote:
  description: Whether the service verified the signature (O(remote=true)) rather than the module.
  returned: success
  type: bool
  sample: false
'''

from ansible_collections.scwkms.key_manager.plugins.module_utils._algorithms import EC_ALGORITHMS
from ansible_collections.scwkms.key_manager.plugins.module_utils._digest import (
    DigestError, candidate_signing_algorithms, check_signature, ecdsa_to_der, hash_name,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._module import (
    build_module, client_from_module, module_errors, require_cryptography,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._public_key import fetch_public_key, public_key_info
from ansible_collections.scwkms.key_manager.plugins.module_utils._signing_input import (
    INPUTS, check_inputs, compute_digest, input_argument_spec, read_signature,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._target import (
    KeyUseError, describe, identity, locate, signing_algorithm,
)

SIGNATURES = ('signature', 'signature_path')


def argument_spec():
    spec = input_argument_spec()
    spec.update(
        signature=dict(type='str'),
        signature_path=dict(type='path'),
        remote=dict(type='bool', default=False),
    )
    return spec


def verify_locally(client, target, algorithm, params, signature):
    info = public_key_info(fetch_public_key(client, target), target, algorithm)
    candidates = (algorithm,) if algorithm else candidate_signing_algorithms(info)
    if not candidates:
        raise KeyUseError('%s has %s, which cannot verify signatures' % (describe(target), info.describe()))
    digest = compute_digest(params, candidates[0])
    reason = None
    for candidate in candidates:
        valid, reason = check_signature(info, candidate, digest, signature)
        if valid:
            return dict(valid=True, reason=None, algorithm=candidate, digest=digest)
    return dict(valid=False, reason=reason, algorithm=candidates[0] if len(candidates) == 1 else None, digest=digest)


def verify_remotely(client, target, algorithm, params, signature):
    digest = compute_digest(params, algorithm)
    if algorithm in EC_ALGORITHMS:
        try:
            signature = ecdsa_to_der(signature, algorithm)
        except DigestError as exc:
            return dict(valid=False, reason=str(exc), algorithm=algorithm, digest=digest)
    valid = client.verify(target.key_id, digest, signature, target.region)
    if not isinstance(valid, bool):
        # Fail closed: only a JSON true is a valid signature, and an answer that is neither is no answer.
        raise KeyUseError('Key Manager answered the verify request for %s with %r, not a JSON boolean; the signature '
                          'is not reported valid' % (describe(target), valid))
    return dict(valid=valid, reason=None if valid else 'Key Manager says the signature is not valid for this key',
                algorithm=algorithm, digest=digest)


def main():
    module = build_module(argument_spec(), supports_check_mode=True,
                          mutually_exclusive=[INPUTS, SIGNATURES], required_one_of=[INPUTS, SIGNATURES])
    if not module.params['remote']:
        require_cryptography(module)  # local verification parses the public key
    params = module.params
    result = dict(changed=False, remote=params['remote'])
    with module_errors(module, **result):
        check_inputs(params)
        signature = read_signature(params)
        settings, client = client_from_module(module)
        read_key = params['remote'] and params['algorithm'] is None
        target = locate(client, settings, params['key'], params['region'], read_key=read_key)
        algorithm = signing_algorithm(target, params['algorithm'], operation='verify', require_enabled=params['remote'])
        if algorithm in EC_ALGORITHMS:
            require_cryptography(module)  # a raw ECDSA signature is re-encoded as DER
        verify = verify_remotely if params['remote'] else verify_locally
        outcome = verify(client, target, algorithm, params, signature)
        result.update(identity(target))
        result.update(outcome)
        result['digest'] = outcome['digest'].hex()
        result['digest_algorithm'] = hash_name(result['algorithm']) if result['algorithm'] else (
            'sha384' if len(outcome['digest']) == 48 else 'sha256')
    module.exit_json(**result)


if __name__ == '__main__':
    main()
