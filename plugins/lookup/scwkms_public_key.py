# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: scwkms_public_key
short_description: Public keys of Scaleway Key Manager keys, in the formats other software accepts
version_added: 0.1.0
description:
  - Returns the public key of each Key Manager key given as a term, normalized as
    M(scwkms.key_manager.scwkms_public_key) does (standard C(-----BEGIN PUBLIC KEY-----) PEM, DER, JWK, OpenSSH).
  - Read-only. Lookups run on the controller, whatever host the task is for.
  - "Requests: one GET of the public key per distinct key (plus one list request per key given by name). Within one
    call, a key given twice is fetched once. Across hosts and tasks, the controller-side cache below makes a template
    rendered for N hosts cost one request per distinct key, not N."
author:
  - Scaleway Key Manager collection maintainers (@scwkms)
extends_documentation_fragment:
  - scwkms.key_manager.api
  - scwkms.key_manager.api.plugins
options:
  _terms:
    description:
      - Key references; a UUID, a C(scwkms:key-id=<uuid>;region=<region>) URI, a
        C(scw-kms://regions/<region>/keys/<uuid>) or C(scw-kms://<uuid>) URI (Tink), or a name (looked up in O(project_id) and O(region)).
    type: list
    elements: str
    required: true
  format:
    description:
      - V(pem) returns the standard SubjectPublicKeyInfo PEM (a string).
      - V(der) returns the DER, base64-encoded (a string).
      - V(jwk) returns the RFC 7517 JWK as a dictionary (C(kid) is its RFC 7638 thumbprint; C(alg) and C(use) are
        added when the key's algorithm is known, that is for EC keys and keys given by name).
      - V(openssh) returns one OpenSSH public key line (a string).
      - V(info) returns a dictionary with every form and fact that M(scwkms.key_manager.scwkms_public_key) returns
        (C(pem), C(pem_original), C(der_b64), C(jwk), C(openssh), fingerprints, C(key_type), C(key_size), C(curve),
        C(algorithm), C(key_id), C(region), C(kms_uri)).
      - ML-DSA and ML-KEM keys have no V(jwk) or V(openssh) form; asking for one is an error.
    type: str
    choices: [pem, der, jwk, openssh, info]
    default: pem
  on_missing:
    description:
      - What to do with a key that does not exist. V(error) fails; V(warn) warns and skips the term; V(skip) skips it
        silently. Other problems (a symmetric key, bad credentials, API errors) always fail.
    type: str
    choices: [error, warn, skip]
    default: error
  cache:
    description:
      - Cache public keys and name resolutions on the controller, so that a template rendered for many hosts, or a
        lookup repeated in many tasks, fetches each key once.
      - By default an entry lives no longer than the playbook run that fetched it (see O(cache_dir) and O(cache_ttl)).
      - Only public data is cached; the PEM as served, key ids, names and algorithms. Credentials are never written.
      - Turn it off to always ask the API; every host then costs one request per key.
    type: bool
    default: true
    env:
      - name: SCWKMS_PUBLIC_KEY_CACHE
    ini:
      - section: scwkms_key_manager
        key: public_key_cache
    vars:
      - name: scwkms_public_key_cache
  cache_dir:
    description:
      - Directory of the cache. By default, a directory inside Ansible's per-run local temporary directory
        (C(DEFAULT_LOCAL_TMP)), which Ansible removes when the run ends.
      - A directory given here persists across runs, but its entries are still used only by the run that wrote them,
        unless O(cache_ttl) is set.
      - Created with mode 0700; entries are files of mode 0600, written atomically and named by a SHA-256 of the API
        endpoint, region and key id (or project and name).
      - A symbolic link, or a directory owned by another user, is not used (the lookup then works without a cache, with
        a warning).
    type: path
    env:
      - name: SCWKMS_PUBLIC_KEY_CACHE_DIR
    ini:
      - section: scwkms_key_manager
        key: public_key_cache_dir
    vars:
      - name: scwkms_public_key_cache_dir
  cache_ttl:
    description:
      - V(0), the default, keeps entries for the current playbook run only.
      - Opt-in cross-run cache; a positive number of seconds lets later runs use an entry of a persistent O(cache_dir)
        for that long. A key's public key never changes, but a key may be deleted and a name may come to mean another
        key (or the API behind O(api_url) may be another one), so a later run may then render the wrong key for up to
        that long.
    type: int
    default: 0
    env:
      - name: SCWKMS_PUBLIC_KEY_CACHE_TTL
    ini:
      - section: scwkms_key_manager
        key: public_key_cache_ttl
    vars:
      - name: scwkms_public_key_cache_ttl
notes:
  - Lookups are evaluated lazily; a variable holding a lookup runs it again each time it is used. The cache makes
    that cheap, but a C(set_fact) or the module M(scwkms.key_manager.scwkms_public_key) is the way to read a key
    exactly once.
  - Each cache entry is bound to the API endpoint, region and key id (or project and name) it answers for, and sealed
    with an HMAC keyed by a digest of the secret key; an entry that was edited, or written with another secret key, is
    not used. A PEM that does not parse is never cached.
  - Within one run, a name is resolved once; a play that makes a name mean another key and then looks it up again in
    the same run should use the key id, or O(cache=false).
  - Workers waiting for the same key share one request; no cache lock is held while the API client waits between
    retries.
  - Errors are raised as C(AnsibleLookupError) with the same messages as the modules; a symmetric key, for instance,
    fails with a message saying it has no public key.
seealso:
  - module: scwkms.key_manager.scwkms_public_key
'''

EXAMPLES = r'''
- name: Trust the release signing key on every host
  ansible.builtin.copy:
    content: "{{ lookup('scwkms.key_manager.scwkms_public_key', 'scwkms:key-id=2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a;region=fr-par') }}"
    dest: /etc/pki/release-signing.pem
    mode: "0644"

- name: A JWKS document with two keys, by name
  ansible.builtin.copy:
    content: "{{ {'keys': query('scwkms.key_manager.scwkms_public_key', 'token-signing', 'token-signing-next', format='jwk')} | to_nice_json }}"
    dest: /srv/www/.well-known/jwks.json
    mode: "0644"
  vars:
    scwkms_project_id: 105bdce1-64c0-48ab-899d-868455867ecf

- name: SSH CA key in sshd_config, from a template
  ansible.builtin.template:
    src: sshd_config.j2  # TrustedUserCAKeys line uses lookup(..., format='openssh')
    dest: /etc/ssh/sshd_config
    mode: "0600"
'''

RETURN = r'''
_raw:
  description:
    - One entry per term found, in O(format); a string for V(pem), V(der) and V(openssh), a dictionary for V(jwk) and
      V(info).
  type: list
  elements: raw
'''

from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.scwkms.key_manager.plugins.module_utils._algorithms import ALGORITHMS, algorithm_of
from ansible_collections.scwkms.key_manager.plugins.module_utils._errors import UserError
from ansible_collections.scwkms.key_manager.plugins.module_utils._keyref import is_uuid
from ansible_collections.scwkms.key_manager.plugins.module_utils._locator import target as aim_of
from ansible_collections.scwkms.key_manager.plugins.module_utils._public_key import (
    fetch_public_key, public_key_info, public_key_result,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._target import KeyNotFound, Target, locate
from ansible_collections.scwkms.key_manager.plugins.plugin_utils._lookup import (
    client_from_plugin, lookup_errors, require_cryptography_plugin, templated_sources,
)
from ansible_collections.scwkms.key_manager.plugins.plugin_utils._public_key_cache import PublicKeyCache, public_url

NAME = 'scwkms_public_key'
display = Display()


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=templated_sources(self._templar, variables), direct=kwargs)
        require_cryptography_plugin(NAME)
        cache = PublicKeyCache(self.get_option('cache_dir'), self.get_option('cache_ttl'),
                               enabled=self.get_option('cache'), warn=display.warning)
        settings, client = client_from_plugin(self, NAME, sleep=cache.sleep)
        cache.seal_with(settings.secret_key)
        resolver = Resolver(client, settings, cache)
        results = []
        for term in terms:
            with lookup_errors(NAME):
                try:
                    record = resolver.public_key(term, self.get_option('region'))
                except KeyNotFound as exc:
                    if self.get_option('on_missing') == 'error':
                        raise
                    if self.get_option('on_missing') == 'warn':
                        display.warning('%s: %s; skipped' % (NAME, exc))
                    continue
                results.append(render(record, self.get_option('format')))
        return results


class Resolver(object):
    """Terms -> public key records, each distinct key fetched once per call and cached across workers."""

    def __init__(self, client, settings, cache):
        self.client = client
        self.settings = settings
        self.cache = cache
        self.endpoint = public_url(settings.api_url)
        self._memo = {}

    def public_key(self, term, region=None):
        aim = aim_of(self.settings, reference=term, region=region)
        key_id, region, algorithm = aim.key_id, aim.region, None
        if aim.name is not None:
            resolved = self._resolve_name(term, aim)
            key_id, algorithm = resolved['key_id'], resolved['algorithm']
        target = Target(key_id, region, None, term)
        fetched = self._memoized(('public_key', region, key_id), lambda: self.cache.get_or_fetch(
            {'kind': 'public_key', 'api_url': self.endpoint, 'region': region, 'key_id': key_id},
            lambda: {'pem': fetch_public_key(self.client, target)},
            lambda value: public_key_info(value.get('pem'), target, algorithm)))
        return {'target': target, 'pem': fetched['pem'], 'algorithm': algorithm}

    def _resolve_name(self, term, aim):
        def resolve():
            target = locate(self.client, self.settings, term, aim.region)
            return {'key_id': target.key_id, 'algorithm': algorithm_of(target.key)}
        return self._memoized(('name', aim.region, aim.project_id, aim.name), lambda: self.cache.get_or_fetch(
            {'kind': 'name', 'api_url': self.endpoint, 'region': aim.region, 'project_id': aim.project_id,
             'name': aim.name}, resolve, _check_resolution))

    def _memoized(self, key, compute):
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


def _check_resolution(value):
    if not is_uuid(value.get('key_id')) or value.get('algorithm') not in ALGORITHMS + (None,):
        raise UserError('not a name resolution: %r' % (value,))


def render(record, fmt):
    info, result = public_key_result(record['pem'], record['target'], record['algorithm'])
    if fmt == 'info':
        return result
    if fmt == 'jwk':
        info.render('jwk')  # raises the clear error for key types without a JWK form
        return info.jwk_for(result['algorithm'])
    if fmt == 'openssh':
        return info.render('openssh').rstrip('\n')
    return info.der_b64 if fmt == 'der' else info.pem
