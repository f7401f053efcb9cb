#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: scwkms_key_info
short_description: List or describe Scaleway Key Manager keys
version_added: 0.1.0
description:
  - Lists the keys of a project with server-side filters, reading every page, or describes one key given by
    reference.
  - Never changes anything.
author:
  - Scaleway Key Manager collection maintainers (@scwkms)
extends_documentation_fragment:
  - scwkms.key_manager.api
  - scwkms.key_manager.attributes
  - scwkms.key_manager.algorithm
attributes:
  check_mode:
    support: full
    details:
      - The module only reads, so check mode changes nothing in what it does.
  diff_mode:
    support: none
  idempotent:
    support: full
options:
  key:
    description:
      - One key to describe, as a UUID, a C(scwkms:key-id=<uuid>;region=<region>) URI, a
        C(scw-kms://regions/<region>/keys/<uuid>) or C(scw-kms://<uuid>) URI (Tink), or a name (looked up in O(project_id)).
      - A value that looks like a mistyped id (a UUID missing a character, in braces) or a name with leading or
        trailing whitespace fails before any request, rather than matching nothing.
      - When given, the filters below are not used; a key that does not exist gives an empty RV(kms_keys).
    type: str
    aliases: [key_id]
  name:
    description:
      - Only keys with exactly this name.
    type: str
  tags:
    description:
      - Only keys that carry every one of these tags.
    type: list
    elements: str
  usage:
    description:
      - Only keys of this usage.
    type: str
    choices: [symmetric_encryption, asymmetric_encryption, asymmetric_signing]
  algorithm:
    description:
      - Only keys of this algorithm. The API filters by usage; the algorithm is filtered from that list.
  scheduled_for_deletion:
    description:
      - V(exclude) lists live keys only, V(only) lists keys scheduled for deletion only, V(include) lists both
        (one more list request).
    type: str
    choices: [exclude, include, only]
    default: exclude
  order_by:
    description:
      - Order of the list.
    type: str
    choices: [name_asc, name_desc, created_at_asc, created_at_desc, updated_at_asc, updated_at_desc]
    default: name_asc
  include_public_key:
    description:
      - Add the public key PEM, as the service sends it, to every asymmetric key (one more request per such key).
      - M(scwkms.key_manager.scwkms_public_key) returns it normalized, in every common format.
    type: bool
    default: false
notes:
  - "API requests: one per page of 100 keys (two lists with O(scheduled_for_deletion=include)), or one for a key given
    by id; plus one per asymmetric key with O(include_public_key=true)."
seealso:
  - module: scwkms.key_manager.scwkms_key
  - module: scwkms.key_manager.scwkms_public_key
'''

EXAMPLES = r'''
- name: Every signing key of the project tagged for production
  scwkms.key_manager.scwkms_key_info:
    usage: asymmetric_signing
    tags: [env:prod]
  register: signing_keys

- name: Show their names and when they were created
  ansible.builtin.debug:
    msg: "{{ signing_keys.kms_keys | items2dict(key_name='name', value_name='created_at') }}"

- name: One key by its step-ca URI
  scwkms.key_manager.scwkms_key_info:
    key: "scwkms:key-id=2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a;region=fr-par"

- name: Keys waiting for deletion, and when they will be purged
  scwkms.key_manager.scwkms_key_info:
    scheduled_for_deletion: only
  register: doomed
'''

RETURN = r'''
kms_keys:
  description:
    - The keys found, each with every field the API returns plus C(algorithm), C(usage) (flattened),
      C(rotation_policy) with the period in seconds and in a human form, C(purge_at) and C(kms_uri);
      see M(scwkms.key_manager.scwkms_key).
  returned: always
  type: list
  elements: dict
  sample:
    - id: 9d0ae4f2-276f-44d0-b7f5-7631bdf9680f
      name: billing-data
      algorithm: aes_256_gcm
      usage: symmetric_encryption
      state: enabled
      kms_uri: scwkms:key-id=9d0ae4f2-276f-44d0-b7f5-7631bdf9680f;region=fr-par
      public_key_pem: null
count:
  description: Number of keys returned.
  returned: always
  type: int
'''

from ansible_collections.scwkms.key_manager.plugins.module_utils._algorithms import ALGORITHMS, algorithm_of, usage_of
from ansible_collections.scwkms.key_manager.plugins.module_utils._credentials import require_project
from ansible_collections.scwkms.key_manager.plugins.module_utils._keyref import validate_name, validate_region
from ansible_collections.scwkms.key_manager.plugins.module_utils._keyspec import normalize_key
from ansible_collections.scwkms.key_manager.plugins.module_utils._locator import locate
from ansible_collections.scwkms.key_manager.plugins.module_utils._module import (
    build_module, client_from_module, module_errors,
)


def argument_spec():
    return dict(
        key=dict(type='str', aliases=['key_id'], no_log=False),
        name=dict(type='str'),
        tags=dict(type='list', elements='str'),
        usage=dict(type='str', choices=['symmetric_encryption', 'asymmetric_encryption', 'asymmetric_signing']),
        algorithm=dict(type='str', choices=list(ALGORITHMS)),
        scheduled_for_deletion=dict(type='str', choices=['exclude', 'include', 'only'], default='exclude'),
        order_by=dict(type='str', default='name_asc', choices=[
            'name_asc', 'name_desc', 'created_at_asc', 'created_at_desc', 'updated_at_asc', 'updated_at_desc']),
        include_public_key=dict(type='bool', default=False),
    )


def listed_keys(client, settings, params):
    region = validate_region(params['region'] or settings.region)
    if params['name'] is not None:
        validate_name(params['name'])
    project = None if settings.organization_id and not settings.project_id else require_project(settings)
    usage = params['usage']
    if params['algorithm']:
        usage = usage or usage_of(params['algorithm'])
    filters = dict(name=params['name'], tags=params['tags'], usage=usage, project_id=project,
                   organization_id=settings.organization_id, order_by=params['order_by'], region=region)
    keys = []
    if params['scheduled_for_deletion'] in ('exclude', 'include'):
        keys.extend(client.list_keys(**filters))
    if params['scheduled_for_deletion'] in ('include', 'only'):
        keys.extend(client.list_keys(scheduled_for_deletion=True, **filters))
    if params['name']:
        keys = [key for key in keys if key.get('name') == params['name']]
    if params['algorithm']:
        keys = [key for key in keys if algorithm_of(key) == params['algorithm']]
    return keys


def with_public_key(client, key):
    normalized = normalize_key(key)
    normalized['public_key_pem'] = None
    if normalized['usage'] != 'symmetric_encryption' and key.get('state') == 'enabled':
        normalized['public_key_pem'] = client.get_public_key(key['id'], key.get('region'))
    return normalized


def main():
    module = build_module(argument_spec(), supports_check_mode=True)
    params = module.params
    with module_errors(module, changed=False):
        settings, client = client_from_module(module)
        if params['key']:
            key = locate(client, settings, reference=params['key'], region=params['region'], include_scheduled=True).key
            keys = [key] if key else []
        else:
            keys = listed_keys(client, settings, params)
        if params['include_public_key']:
            result = [with_public_key(client, key) for key in keys]
        else:
            result = [normalize_key(key) for key in keys]
    module.exit_json(changed=False, kms_keys=result, count=len(result))


if __name__ == '__main__':
    main()
