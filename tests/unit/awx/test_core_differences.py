# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What changed between ansible-core releases and how the collection copes, shown on the running one.
`make test-matrix` (tools/matrix.py) runs this file under 2.16, 2.17 and 2.18; `make test` under 2.19.

A job template survey gives the keyring's key list as text. Before 2.19, a "{{ }}" whose result looks
like a JSON or Python list or dict is turned into that value (native_helpers.ansible_eval_concat), so
JSON text arrives as a list while YAML text stays text; from 2.19 both stay text. The role parses the
text itself (roles/keyring/tasks/main.yml), so every release gets the same list.
"""

from __future__ import annotations

import pathlib

import pytest
import yaml

from ansible.module_utils.ansible_release import __version__ as CORE_VERSION
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:
    from ansible.template import trust_as_template
except ImportError:  # before 2.19 every string is a template
    def trust_as_template(value):
        return value

CORE = tuple(int(part) for part in CORE_VERSION.split('.')[:2])
ROLE_TASKS = pathlib.Path(__file__).resolve().parents[3] / 'roles' / 'keyring' / 'tasks' / 'main.yml'
KEYS = [{'name': 'billing'}, {'name': 'orders'}]
JSON_TEXT = '[{"name": "billing"}, {"name": "orders"}]'
JSON_WITH_FALSE = '[{"name": "billing", "enabled": false}]'
YAML_TEXT = '- name: billing\n- name: orders\n'


def render(template, **variables):
    return Templar(loader=DataLoader(), variables=variables).template(trust_as_template(template))


def role_key_list_expression():
    block = yaml.safe_load(ROLE_TASKS.read_text(encoding='utf-8'))[0]
    return block['vars']['__scwkms_keyring_key_list']


@pytest.mark.parametrize('text, before_2_19', [
    (JSON_TEXT, KEYS),
    (JSON_WITH_FALSE, [{'name': 'billing', 'enabled': False}]),
    (YAML_TEXT, YAML_TEXT),
])
def test_templating_turns_json_text_into_a_list_before_2_19_only(text, before_2_19):
    assert render('{{ keys }}', keys=text) == (before_2_19 if CORE < (2, 19) else text)


@pytest.mark.parametrize('given, expected', [
    (KEYS, KEYS),
    (JSON_TEXT, KEYS),
    (YAML_TEXT, KEYS),
    (JSON_WITH_FALSE, [{'name': 'billing', 'enabled': False}]),
])
def test_the_role_reads_the_same_list_from_a_list_or_text_on_every_release(given, expected):
    assert render(role_key_list_expression(), scwkms_keyring_keys=given) == expected
