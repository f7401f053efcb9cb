#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: scwkms_sign
short_description: Sign text, bytes, a file or a digest with a Scaleway Key Manager key
version_added: 0.1.0
description:
  - Signs with an asymmetric signing key of Key Manager. The private key never leaves the service; the module
    computes the digest the key's algorithm requires (SHA-384 for V(ec_p384_sha384), SHA-256 for every other
    algorithm) on the host it runs on and sends only the digest.
  - The input is a text O(content), bytes as O(content_b64), a file O(path) (read in chunks, so its size does not
    matter), or a precomputed O(digest).
  - ECDSA signatures are returned in ASN.1 DER (what C(openssl dgst -verify) and X.509 expect) or, with
    O(signature_format=raw), as raw C(r||s) (what JOSE/JWS expects). The service's ECDSA signature is normalized
    whether it arrives as DER or raw.
  - With O(dest), the signature is written to a file, and a signature already there that verifies for the current
    content under this key is kept (see the idempotent attribute).
author:
  - Scaleway Key Manager collection maintainers (@scwkms)
extends_documentation_fragment:
  - scwkms.key_manager.api
  - scwkms.key_manager.attributes
  - scwkms.key_manager.asymmetric
  - scwkms.key_manager.asymmetric.signing_input
  - scwkms.key_manager.algorithm.signing
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    details:
      - Signing changes no state, so without O(dest) the module signs in check mode too and returns the signature.
      - With O(dest), check mode reports whether the file would change, and neither signs nor writes.
  diff_mode:
    support: full
    details:
      - With O(dest), shows the signature file before and after (base64) and changed file attributes.
  idempotent:
    support: partial
    details:
      - RSA-PSS and ECDSA signatures are randomized, so signing the same input twice gives different bytes; comparing
        signatures byte for byte would always report a change. Instead, without O(dest) the module never reports a
        change (C(changed=false)), and with O(dest) a file that already holds a signature which verifies for the
        current input under this key's public key is kept as it is, without a new signature (C(changed=false)).
      - RSA PKCS#1 v1.5 signatures are deterministic; ML-DSA signatures may be either, depending on the service.
options:
  algorithm:
    description:
      - The key's algorithm, when you know it.
      - With a key given by id, it saves the request that reads the key, and O(digest) is checked against it before
        any request. The service then checks the key itself; a wrong RSA scheme (PSS or PKCS#1 v1.5) shows only when the
        signature is verified (O(verify=true)).
      - With a key given by name, the key is read anyway and must have this algorithm.
  signature_format:
    description:
      - Encoding of ECDSA signatures, in RV(signature) and in O(dest). V(der) is ASN.1 DER; V(raw) is C(r||s) with
        each integer padded to the curve size (64 bytes for P-256, 96 for P-384), as JWS uses.
      - RSA and ML-DSA signatures have a single form; this option does not change them.
    type: str
    choices: [der, raw]
    default: der
  verify:
    description:
      - Verify the signature locally against the key's normalized public key before returning, and fail if it does
        not verify. Costs one request for the public key.
      - Local verification of ML-DSA signatures needs a cryptography package with ML-DSA support and assumes the
        service signs the digest bytes as the ML-DSA message, which Scaleway does not document.
    type: bool
    default: false
  dest:
    description:
      - Write the binary signature (in O(signature_format)) to this file. The directory must exist.
      - When the file already holds a signature that verifies for the current input under this key, nothing is signed
        and the file is kept (its attributes are still applied). This check reads the public key (one request), and
        for ML-DSA keys needs local ML-DSA verification (see O(verify)).
    type: path
notes:
  - "API requests: sign (one). Before it, for a key given by id, one GET of the key (to learn its algorithm and
    refuse keys that cannot sign or are not enabled), unless O(algorithm) is given; for a key given by name, one list
    request. After it, one GET of the public key with O(verify=true). With O(dest) holding a file, one GET of the
    public key before signing, and no signing request when the file's signature still verifies."
  - Inputs are checked before any request; O(algorithm) and the length of O(digest), the readability of O(path).
  - The returned RV(digest) of a low-entropy secret message (a short password, a yes/no answer) lets anyone guess the
    message; use C(no_log) on such tasks.
requirements:
  - cryptography
seealso:
  - module: scwkms.key_manager.scwkms_verify
  - module: scwkms.key_manager.scwkms_public_key
  # A link, not a module reference: a reference to another collection's module is an undefined label
  # on a site that documents this collection alone (antsibull-docs, Sphinx nitpicky mode).
  - name: community.crypto.openssl_signature
    description: Signs and verifies with a local private key; its counterpart for keys outside Key Manager.
    link: https://docs.ansible.com/projects/ansible/latest/collections/community/crypto/openssl_signature_module.html
'''

EXAMPLES = r'''
- name: Sign a release tarball on the build host
  scwkms.key_manager.scwkms_sign:
    key: "scwkms:key-id=2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a;region=fr-par"
    path: /srv/build/release-1.4.0.tar.gz
    dest: /srv/build/release-1.4.0.tar.gz.sig
    verify: true
    mode: "0644"

- name: Sign a JWS signing input (ES256 needs the raw r||s form)
  scwkms.key_manager.scwkms_sign:
    key: token-signing
    content: "{{ jws_header_b64 }}.{{ jws_payload_b64 }}"
    signature_format: raw
  register: jws
  no_log: true

- name: Sign a digest computed elsewhere, without reading the key first
  scwkms.key_manager.scwkms_sign:
    key: 2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a
    algorithm: rsa_pss_3072_sha256
    digest: fb0c460c93cbd02d0ad341411e85ec8ccd3169860f4ed20749f75f8e5bd010cb
'''

RETURN = r'''
key_id: {description: The key's id., returned: success, type: str, sample: 2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a}
region: {description: The key's region., returned: success, type: str, sample: fr-par}
kms_uri: {description: The key as a C(scwkms:) URI., returned: success, type: str, sample: "scwkms:key-id=2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a;region=fr-par"}
signature:
  description:
    - The signature, base64-encoded (standard alphabet, padded), in O(signature_format) for ECDSA keys.
    - With O(dest) already holding a valid signature, that signature.
    - V(null) in check mode when O(dest) would change (nothing was signed).
  returned: success
  type: str
  sample: MEUCIQDf0m3...
digest: {description: The digest of the message in lowercase hex., returned: success, type: str,
         sample: fb0c460c93cbd02d0ad341411e85ec8ccd3169860f4ed20749f75f8e5bd010cb}
digest_algorithm: {description: V(sha256) or V(sha384)., returned: success, type: str, sample: sha256}
algorithm:
  description: The key's algorithm (as read from the key, or as given in O(algorithm)).
  returned: success
  type: str
  sample: ec_p256_sha256
signature_format:
  description: V(der) or V(raw) for ECDSA signatures; V(null) for RSA and ML-DSA signatures, which have one form.
  returned: success
  type: str
  sample: der
verified:
  description: V(true) when the signature was verified locally (O(verify=true), or an existing O(dest) kept); else V(false).
  returned: success
  type: bool
  sample: true
dest:
  description: The signature file, when O(dest) was given.
  returned: when O(dest) was given
  type: str
  sample: /srv/build/release-1.4.0.tar.gz.sig
'''

import base64

from ansible_collections.scwkms.key_manager.plugins.module_utils._algorithms import EC_ALGORITHMS
from ansible_collections.scwkms.key_manager.plugins.module_utils._dest import read_existing, write_dest
from ansible_collections.scwkms.key_manager.plugins.module_utils._digest import (
    SIGNATURE_FORMATS, check_signature, encode_signature, hash_name, normalize_signature,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._module import (
    build_module, client_from_module, module_errors, require_cryptography,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._public_key import fetch_public_key, public_key_info
from ansible_collections.scwkms.key_manager.plugins.module_utils._signing_input import (
    INPUTS, check_inputs, compute_digest, input_argument_spec,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._target import (
    KeyUseError, describe, identity, locate, signing_algorithm,
)


def argument_spec():
    spec = input_argument_spec()
    spec.update(
        signature_format=dict(type='str', choices=list(SIGNATURE_FORMATS), default='der'),
        verify=dict(type='bool', default=False),
        dest=dict(type='path'),
    )
    return spec


class Signer(object):
    def __init__(self, client, target, algorithm, signature_format):
        self.client = client
        self.target = target
        self.algorithm = algorithm
        self.signature_format = signature_format
        self._info = None

    def public_key(self):
        if self._info is None:
            self._info = public_key_info(fetch_public_key(self.client, self.target), self.target, self.algorithm)
        return self._info

    def kept_signature(self, digest, current):
        """The signature in dest, in the wanted form, when it verifies for this digest; else None.
        An ECDSA signature in the other form (DER or raw) is re-encoded, not signed again."""
        if not current or not check_signature(self.public_key(), self.algorithm, digest, current)[0]:
            return None
        return encode_signature(current, self.algorithm, self.signature_format)

    def sign(self, digest, verify):
        """The new signature, in the wanted form."""
        answer = self.client.sign(self.target.key_id, digest, self.target.region)
        if not isinstance(answer, bytes) or not answer:
            # Never write or return something that is not a signature, whatever the API answered.
            raise KeyUseError('Key Manager answered the signing request for %s without a signature'
                              % describe(self.target))
        signature = normalize_signature(answer, self.algorithm)
        if verify:
            valid, reason = check_signature(self.public_key(), self.algorithm, digest, signature)
            if not valid:
                hint = '' if self.target.key is not None else (
                    '; algorithm %s was given and not read from the key, is it right?' % self.algorithm)
                raise KeyUseError('the signature Key Manager returned for %s does not verify with its public key as %s '
                                  '(%s)%s' % (describe(self.target), self.algorithm, reason, hint))
        return encode_signature(signature, self.algorithm, self.signature_format)


def sign_to_dest(module, signer, digest, current, result):
    """Keep a signature in dest that still verifies, else sign (not in check mode) and write."""
    dest = module.params['dest']
    content = signer.kept_signature(digest, current)
    if content is not None:
        result.update(signature=_b64(content), verified=True)
    elif not module.check_mode:
        content = signer.sign(digest, module.params['verify'])
        result.update(signature=_b64(content), verified=module.params['verify'])
    result['dest'] = dest
    if content is None:
        # Check mode with a file that would change: no signature, so no content to compare.
        result['changed'] = True
        if module._diff:
            result['diff'] = [{'before_header': dest, 'after_header': dest,
                               'before': '' if current is None else 'signature that does not verify, %d bytes\n' % len(current),
                               'after': 'new signature\n'}]
        return
    result['changed'], diffs = write_dest(module, dest, content, current, binary=True)
    if module._diff:
        result['diff'] = diffs


def main():
    module = build_module(argument_spec(), supports_check_mode=True, add_file_common_args=True,
                          mutually_exclusive=[INPUTS], required_one_of=[INPUTS])
    if module.params['verify'] or module.params['dest']:
        # Checking a signature (verify, or one already in dest) needs the public key parsed.
        require_cryptography(module)
    params = module.params
    result = dict(changed=False)
    with module_errors(module, **result):
        check_inputs(params)
        current = read_existing(params['dest']) if params['dest'] else None
        settings, client = client_from_module(module)
        target = locate(client, settings, params['key'], params['region'], read_key=params['algorithm'] is None)
        algorithm = signing_algorithm(target, params['algorithm'])
        if algorithm in EC_ALGORITHMS:
            require_cryptography(module)  # DER and raw ECDSA signature encodings, before the signing request
        digest = compute_digest(params, algorithm)
        signature_format = params['signature_format'] if algorithm in EC_ALGORITHMS else None
        result.update(identity(target))
        result.update(algorithm=algorithm, digest=digest.hex(), digest_algorithm=hash_name(algorithm),
                      signature_format=signature_format, signature=None, verified=False)
        signer = Signer(client, target, algorithm, signature_format or 'der')
        if params['dest']:
            sign_to_dest(module, signer, digest, current, result)
        else:
            result.update(signature=_b64(signer.sign(digest, params['verify'])), verified=params['verify'])
    module.exit_json(**result)


def _b64(data):
    return base64.b64encode(data).decode('ascii')


if __name__ == '__main__':
    main()
