#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: scwkms_key
short_description: Manage Scaleway Key Manager keys
version_added: 0.1.0
description:
  - Create, update, tag, protect, enable or disable, rotate, import key material into, schedule the deletion of, and
    restore keys in Scaleway Key Manager.
  - Running the same task twice changes nothing the second time. An unchanged key costs one API request (a C(GET) by
    id, or one filtered list by name); each change costs only its own call.
  - A key is named by O(key_id) (a UUID or a key URI) or by O(name) within a project and region.
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
      - In check mode no write request is made; RV(key) is the key as it would be. A key that would be restored is
        predicted to come back V(enabled).
  diff_mode:
    support: full
    details:
      - The diff shows name, algorithm, origin, description, tags, rotation policy, state, protection and rotation
        count before and after.
  idempotent:
    support: partial
    details:
      - The task is idempotent, except with O(rotate=true), which rotates the key every time it runs. Use
        O(rotate_if_older_than) for an idempotent rotation schedule.
options:
  key_id:
    description:
      - The key to manage, as a UUID, a C(scwkms:key-id=<uuid>;region=<region>) URI (step-ca) or a
        C(scw-kms://regions/<region>/keys/<uuid>) or C(scw-kms://<uuid>) URI (Tink; the region of the short form comes
        from O(region)).
      - Any other value (a UUID missing a character, a UUID in braces, a name) fails before any request, also with
        O(state=absent); use O(name) to name a key by its name.
      - With O(key_id), O(name) renames the key.
      - A key given by id is never created; O(state=present) fails when it does not exist.
    type: str
  name:
    description:
      - Name of the key, looked up in O(project_id) and O(region) when O(key_id) is not given.
      - Matched exactly; a name with leading or trailing whitespace fails before any request.
      - Names are not unique in Key Manager. When more than one live key carries the name, the task fails and lists
        their ids rather than guessing.
      - A key scheduled for deletion that carries the name is restored by O(state=present) instead of creating a
        second key, so data encrypted under it stays readable.
    type: str
  state:
    description:
      - V(present) creates the key, or restores it when it is scheduled for deletion, and applies the other options.
      - V(absent) schedules the key's deletion. Key Manager purges it 7 days later; until then O(state=present)
        restores it. A key already scheduled for deletion, or missing, is no change.
      - A protected key is not deleted unless the task also sets O(protected=false), which unprotects it first.
    type: str
    choices: [present, absent]
    default: present
  algorithm:
    description:
      - Algorithm of a new key; its usage (symmetric encryption, asymmetric encryption or signing) follows from it.
      - New keys default to V(aes_256_gcm). On an existing key the algorithm cannot change; a different value fails.
  description:
    description:
      - Description of the key. Left as it is when omitted.
    type: str
  tags:
    description:
      - Tags of the key, free-form strings such as V(env:prod). Left as they are when omitted.
    type: list
    elements: str
  purge_tags:
    description:
      - With V(true), tags not listed in O(tags) are removed. With V(false), O(tags) are added to the existing ones.
    type: bool
    default: true
  rotation_policy:
    description:
      - Automatic rotation schedule. Left as it is when omitted. Key Manager offers no way to remove a policy once set.
      - Only symmetric keys rotate.
    type: dict
    suboptions:
      rotation_period:
        description:
          - Time between rotations, as seconds or a number with a unit, for example V(30d), V(720h), V(1y) or
            V(2592000). Between 24 hours and 876000 hours (100 years).
        type: raw
        required: true
      next_rotation_at:
        description:
          - When the next automatic rotation happens, as an RFC 3339 timestamp in the future.
          - When omitted, Key Manager sets it to now plus O(rotation_policy.rotation_period), and an existing value is
            not compared.
        type: str
  enabled:
    description:
      - V(true) enables the key, V(false) disables it (a disabled key refuses every cryptographic operation).
      - Left as it is when omitted.
    type: bool
  protected:
    description:
      - Whether the key is protected against deletion.
      - New keys are protected unless this is V(false), as the API does. Left as it is on an existing key when
        omitted.
    type: bool
  rotate:
    description:
      - Rotate the key now. Always a change. Not done on a key this task creates, which is fresh already.
      - Only symmetric keys rotate; for an O(origin=external) key, rotating imports O(key_material) again as a new
        key version.
    type: bool
    default: false
  rotate_if_older_than:
    description:
      - Rotate the key when its last rotation is older than this duration (V(90d), V(2160h), seconds). Idempotent;
        the natural task for a nightly schedule.
    type: raw
  origin:
    description:
      - V(scaleway_kms) lets Key Manager generate the key material. V(external) creates a key waiting for key
        material that you import with O(key_material) (bring your own key; V(aes_256_gcm) only).
      - Cannot change on an existing key. New keys default to V(scaleway_kms).
    type: str
    choices: [scaleway_kms, external]
  key_material:
    description:
      - Key material to import into an O(origin=external) key, as base64 text, or the absolute path of a file on the
        host that runs the module holding the raw bytes (a leading C(~) is not expanded).
      - Imported when the key is waiting for key material, and again only when O(rotate) or O(rotate_if_older_than)
        asks for a rotation.
    type: str
  salt:
    description:
      - Base64 salt for the HKDF-SHA256 derivation of O(key_material). Key Manager picks a random one when omitted.
    type: str
notes:
  - The key references accepted by O(key_id) are those of step-ca's and Tink's Scaleway KMS integrations;
    RV(kms_uri) returns the step-ca form, ready for step-ca's C(ca.json).
  - "API requests: an unchanged key costs one. Creating a key by name costs the lookup (one list of live keys and one
    of keys scheduled for deletion), the create, and one more list of the name (see below). Each change costs its own
    call; adding tags with O(purge_tags=false) costs one more read, to check they are all there."
  - "Concurrent tasks: Key Manager names are not unique and the API has no idempotency token, so two tasks declaring
    the same new name at once could both create it. On the host that runs the module, a lock (a file in a private
    directory under the system temporary directory, one per API URL, region, project and name) serializes the read,
    the plan and the writes of one key, until a created key shows in a list of its name; O(rotate_if_older_than) is
    decided under the lock from a fresh read, so forks of one controller rotate a key once per window and every
    added tag is kept."
  - "Several controllers (or hosts that each run the module) cannot share that lock, so races between them are
    resolved after the fact: after every create, the task lists the name again and every racer picks the same winner,
    the live key with the earliest C(created_at), then the smallest id. A loser unprotects and schedules the deletion
    of only the key it created itself (it holds no data yet), warns, and applies the rest of its task to the winner.
    When a create answer was lost, the task cannot tell its key from a racer's: it watches the name for the whole
    consistency window (10 seconds), then keeps the first-created new key and schedules the deletion of the other
    new ones, all losers by the same rule. A task that finds several live keys with the name lists it again for
    that window and 5 seconds more, to let the losers finish, before failing."
  - "With O(key_material), a second import would rotate the winner, so only its creator imports: a loser waits
    until the winner leaves C(pending_key_material), for at most O(retry_deadline) (reached only when the creator's
    task died; then it imports itself), and a task whose create answer was lost waits at most 15 seconds, since the
    key is most likely its own."
  - "Across controllers, adding tags (O(purge_tags=false)) and O(rotate_if_older_than) are not exact: the API has no
    compare-and-swap, so a writer on another machine that read the key before this task's write can drop a tag
    added here after this task checked it, and two controllers can both decide that a key is due for rotation. Run
    such tasks from one controller (forks of one controller share the lock), or with C(run_once: true)."
seealso:
  - module: scwkms.key_manager.scwkms_key_info
  - module: scwkms.key_manager.scwkms_keyring
'''

EXAMPLES = r'''
- name: Set credentials once for every module of the collection
  module_defaults:
    group/scwkms.key_manager.scwkms:
      region: fr-par
      project_id: "{{ scw_project_id }}"
  block:
    - name: An AES key for the billing service, rotated every 90 days (declared once, not once per host)
      scwkms.key_manager.scwkms_key:
        name: billing-data
        description: Encrypts billing exports
        tags: [team:billing, env:prod]
        rotation_policy:
          rotation_period: 90d
      run_once: true

    - name: A signing key for step-ca, unprotected so a test can delete it
      scwkms.key_manager.scwkms_key:
        name: step-ca-intermediate
        algorithm: ec_p256_sha256
        protected: false
      register: ca_key

    - name: Hand the key URI to step-ca
      ansible.builtin.debug:
        msg: "{{ ca_key.kms_uri }}"

    - name: Nightly job - rotate keys whose last rotation is older than 30 days, once for the whole play
      scwkms.key_manager.scwkms_key:
        name: billing-data
        rotate_if_older_than: 30d
      run_once: true

    - name: Disable a key by its URI
      scwkms.key_manager.scwkms_key:
        key_id: "scwkms:key-id=2d1f6f53-60b4-4e2b-9d8b-0e8f2f7e7d1a;region=fr-par"
        enabled: false

    - name: Bring your own key
      scwkms.key_manager.scwkms_key:
        name: byok-key
        origin: external
        key_material: /etc/keys/byok.bin

    - name: Schedule the deletion of a protected key (purged after 7 days)
      scwkms.key_manager.scwkms_key:
        name: old-key
        state: absent
        protected: false
'''

RETURN = r'''
key:
  description:
    - The key after the task (predicted in check mode), with every field the API returns plus those below.
    - Missing when the key does not exist.
  returned: when the key exists
  type: dict
  contains:
    id:
      description: Key UUID.
      type: str
      sample: 9d0ae4f2-276f-44d0-b7f5-7631bdf9680f
    name:
      description: Key name.
      type: str
    algorithm:
      description: Algorithm of the key.
      type: str
      sample: aes_256_gcm
    usage:
      description: V(symmetric_encryption), V(asymmetric_encryption) or V(asymmetric_signing).
      type: str
    state:
      description: V(enabled), V(disabled), V(pending_key_material) or V(scheduled_for_deletion).
      type: str
    protected:
      description: Whether the key is protected against deletion.
      type: bool
    tags:
      description: Tags of the key.
      type: list
      elements: str
    rotation_count:
      description: Number of key versions.
      type: int
    rotated_at:
      description: Time of the last rotation.
      type: str
    rotation_policy:
      description: Rotation policy, with the period in seconds and in a human form.
      type: dict
      sample: {"rotation_period": 2592000, "rotation_period_human": "30d", "next_rotation_at": "2026-12-23T10:00:00Z"}
    deletion_requested_at:
      description: When deletion was scheduled.
      type: str
    purge_at:
      description: When Key Manager purges a key scheduled for deletion (7 days after the request).
      type: str
    kms_uri:
      description: The key as a C(scwkms:key-id=...;region=...) URI.
      type: str
kms_uri:
  description: The key as a step-ca / step-kms-plugin URI.
  returned: when the key exists
  type: str
  sample: scwkms:key-id=9d0ae4f2-276f-44d0-b7f5-7631bdf9680f;region=fr-par
actions:
  description: What the task did (or would do in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [created, disabled]
'''

import os

from ansible_collections.scwkms.key_manager.plugins.module_utils._algorithms import ALGORITHMS
from ansible_collections.scwkms.key_manager.plugins.module_utils._apply import (
    Progress, apply_plan, predict, server_now, summarize,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._durations import utcnow
from ansible_collections.scwkms.key_manager.plugins.module_utils._keyspec import (
    SpecError, diff_view, normalize_key, plan_changes, spec_from_params,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._locator import locate, target
from ansible_collections.scwkms.key_manager.plugins.module_utils._lock import key_lock
from ansible_collections.scwkms.key_manager.plugins.module_utils._module import (
    build_module, client_from_module, mask, module_errors,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._wire import b64decode


def argument_spec():
    return dict(
        key_id=dict(type='str'),
        name=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        algorithm=dict(type='str', choices=list(ALGORITHMS)),
        description=dict(type='str'),
        tags=dict(type='list', elements='str'),
        purge_tags=dict(type='bool', default=True),
        rotation_policy=dict(type='dict', options=dict(
            rotation_period=dict(type='raw', required=True),
            next_rotation_at=dict(type='str'),
        )),
        enabled=dict(type='bool'),
        protected=dict(type='bool'),
        rotate=dict(type='bool', default=False),
        rotate_if_older_than=dict(type='raw'),
        origin=dict(type='str', choices=['scaleway_kms', 'external']),
        key_material=dict(type='str', no_log=True),
        salt=dict(type='str', no_log=False),
    )


def read_bytes_option(value, option):
    """Raw bytes from a file path on this host, or from base64 text. The value itself is never echoed."""
    if value is None:
        return None
    if os.path.isfile(value):
        with open(value, 'rb') as handle:
            return handle.read()
    try:
        return b64decode(value)
    except ValueError:
        raise SpecError('%s: is neither the path of an existing file nor valid base64 text' % option)


def converge(module, client, settings, aim, spec, secrets):
    """(key before, key after, Progress); the caller holds the key's lock, so the read is fresh."""
    located = locate(client, settings, key_id=aim.key_id, name=aim.name, region=aim.region,
                     include_scheduled=spec['state'] == 'present')
    current = located.key
    if aim.key_id and current is None and spec['state'] == 'present':
        raise SpecError('key_id: no key %s in region %s; a key given by id cannot be created, give name '
                        'instead' % (aim.key_id, aim.region))
    now = server_now(client)
    actions = plan_changes(current, spec, now)
    progress = Progress()
    if module.check_mode or not actions:
        progress.done = [action.name for action in actions]
        final = predict(current, actions, now) if current or actions else None
    else:
        final = apply_plan(client, current, actions, spec, aim.region, project_id=located.project_id,
                           key_material=secrets[0], salt=secrets[1], now=now, progress=progress)
    return current, final, progress


def main():
    module = build_module(argument_spec(), supports_check_mode=True, required_one_of=[('key_id', 'name')])
    params = module.params
    with module_errors(module, changed=False):
        spec = spec_from_params(params, utcnow())
        if params['key_id'] and not params['name']:
            spec['name'] = None
        secrets = (read_bytes_option(params['key_material'], 'key_material'), read_bytes_option(params['salt'], 'salt'))
        # Read from a file, the material is no option value that no_log already hides.
        mask(module, secrets[0])
        settings, client = client_from_module(module)
        aim = target(settings, key_id=params['key_id'], name=None if params['key_id'] else spec['name'],
                     region=params['region'])
        with key_lock(settings, aim.region, aim.project_id, aim.name or 'id:%s' % aim.key_id):
            current, final, progress = converge(module, client, settings, aim, spec, secrets)
    for key_id in progress.discarded:
        module.warn('another task created a key named %r at the same time and won (it was created first); the key '
                    'this task created, %s, is scheduled for deletion' % (spec['name'], key_id))
    if current and current.get('state') == 'pending_key_material' and secrets[0] is None and params['state'] == 'present':
        module.warn('key %s is waiting for key material; give key_material to import it' % current['id'])
    result = dict(changed=bool(progress.done or progress.discarded), actions=summarize(progress.done))
    if final:
        result['key'] = normalize_key(final)
        result['kms_uri'] = result['key']['kms_uri']
    if module._diff:
        result['diff'] = dict(before=diff_view(current), after=diff_view(final))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
