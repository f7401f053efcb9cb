# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # The connection options of every module and plugin, documented once. Declared in module_utils/_options.py;
    # tests/unit/plugins/module_utils/test_options.py checks that both variants agree with that declaration.
    DOCUMENTATION = r'''
options:
  access_key:
    description:
      - Scaleway access key (C(SCW) followed by 17 letters or digits). It is never sent to the API; it is only checked
        for its format when given.
      - Falls back to the E(SCW_ACCESS_KEY) environment variable, then to C(access_key) in the selected profile of the
        Scaleway config file.
    type: str
  secret_key:
    description:
      - Scaleway secret key (a UUID), sent as the C(X-Auth-Token) header. Never logged, whatever its source.
      - Falls back to the E(SCW_SECRET_KEY) environment variable, then to C(secret_key) in the selected profile of the
        Scaleway config file.
    type: str
  project_id:
    description:
      - Project that new keys are created in and that keys are looked up in by name.
      - Falls back to E(SCW_DEFAULT_PROJECT_ID), then to C(default_project_id) in the profile.
    type: str
  organization_id:
    description:
      - Organization, used to list keys when no project is given.
      - Falls back to E(SCW_DEFAULT_ORGANIZATION_ID), then to C(default_organization_id) in the profile.
    type: str
  region:
    description:
      - Key Manager region, one of V(fr-par), V(nl-ams) or V(pl-waw).
      - Falls back to E(SCW_DEFAULT_REGION), then to C(default_region) in the profile, then to V(fr-par).
      - A key reference that carries a region (C(scwkms:key-id=...;region=...)) must agree with it.
    type: str
  api_url:
    description:
      - Base URL of the Scaleway API, C(http://) or C(https://), with no query, fragment, user name or password.
      - Falls back to E(SCW_API_URL), then to C(api_url) in the profile, then to V(https://api.scaleway.com).
      - Point it at the collection's Key Manager emulator to test playbooks locally. Plain C(http://) to a host other
        than this machine (C(localhost), 127.0.0.0/8, C(::1)) gives a warning; the secret key would cross the network
        unencrypted.
    type: str
  profile:
    description:
      - Profile of the Scaleway config file to read, as the C(scw) CLI does.
      - Falls back to E(SCW_PROFILE), then to C(active_profile) in the file, then to the root profile. A named profile
        is merged over the root profile.
    type: str
  config_file:
    description:
      - Path of the Scaleway config file.
      - Falls back to E(SCW_CONFIG_PATH), then to C($XDG_CONFIG_HOME/scw/config.yaml), then to
        C(~/.config/scw/config.yaml). A missing default file is not an error.
    type: path
  timeout:
    description:
      - Seconds one HTTP request may take, from connecting to the last byte of the response.
    type: float
    default: 30
  max_retries:
    description:
      - How many times a failed request is retried (connection errors, HTTP 408, 429, 500, 502, 503 and 504), with
        exponential backoff and jitter, honouring C(Retry-After).
      - A write whose response was lost is never blindly repeated; the key is read back first, so retries never
        create a second key or apply an action twice.
    type: int
    default: 5
  retry_deadline:
    description:
      - Total seconds one API call may take, retries and read-backs included, before it gives up.
    type: float
    default: 120
  validate_certs:
    description:
      - Verify the API's TLS certificate. Only turn this off for a test endpoint you trust; turning it off gives a
        warning.
    type: bool
    default: true
notes:
  - Settings are resolved once per task in this order, as the C(scw) CLI does; options, then E(SCW_*) environment
    variables, then the selected Scaleway config file profile, then defaults. Surrounding whitespace is not part of a
    value (a secret ending with a newline works), and a value that is only whitespace counts as not set.
requirements:
  - requests
'''

    # Added, for plugins, to DOCUMENTATION (extends_documentation_fragment: [scwkms.key_manager.api,
    # scwkms.key_manager.api.plugins]); ansible-core merges each option's keys. Only variables: the resolver
    # reads the SCW_* environment itself, after the options.
    PLUGINS = r'''
options:
  access_key:
    vars:
      - name: scwkms_access_key
  secret_key:
    vars:
      - name: scwkms_secret_key
  project_id:
    vars:
      - name: scwkms_project_id
  organization_id:
    vars:
      - name: scwkms_organization_id
  region:
    vars:
      - name: scwkms_region
  api_url:
    vars:
      - name: scwkms_api_url
  profile:
    vars:
      - name: scwkms_profile
  config_file:
    vars:
      - name: scwkms_config_file
  timeout:
    vars:
      - name: scwkms_timeout
  max_retries:
    vars:
      - name: scwkms_max_retries
  retry_deadline:
    vars:
      - name: scwkms_retry_deadline
  validate_certs:
    vars:
      - name: scwkms_validate_certs
notes:
  - Each option can also be set with the variable named C(scwkms_) followed by the option name (for example
    C(scwkms_secret_key)); a variable counts as the option itself, before the environment.
'''
