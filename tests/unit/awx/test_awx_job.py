# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A job run the way AWX runs it (awx/main/tasks/jobs.py), with ansible-runner, against the emulator.

The private data dir is laid out as AWX lays it; the credential type's injectors are rendered as AWX
renders them and passed in memory (suppress_env_files); ansible-playbook comes from a virtualenv holding
only ansible-core and meta/ee-requirements.txt (what the execution environment holds), with the
collection installed from the tarball ``ansible-galaxy collection build`` makes of this tree.
Then everything AWX would store (job events, stdout) is searched for secrets.
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
import shutil
import subprocess
import uuid

import ansible_runner
import pytest
import yaml

from ansible_collections.scwkms.key_manager.tests.unit.awx.awx_rules import render_env
from tools.ee import build_collection_tarball
from tools.matrix import cached_venv

HERE = pathlib.Path(__file__).resolve().parent
REPO_DEMO = HERE.parents[2] / 'playbooks' / 'demo'
DEFINITION = HERE.parents[2] / 'extensions' / 'awx' / 'credential_types' / 'scwkms.yml'
JOB_ID = 4242
KEY_MATERIAL = b'AWXJobKeyMaterial-0123456789abcd'
MESSAGE = 'awx-confidential-message-7d1e'
SURVEY_KEYS = '[{"name": "awx-survey-a", "enabled": true}, {"name": "awx-survey-b"}]'
INVENTORY_SCRIPT = '''#! /usr/bin/env python3
# What AWX writes as inventory/hosts: a script printing the inventory as JSON.
import json
print(json.dumps(%s))
'''


@pytest.fixture(scope='module')
def job_python(tmp_path_factory):
    """ansible-core and meta/ee-requirements.txt only, with the collection installed from its tarball."""
    bin_dir = cached_venv('ee', 'ansible-core>=2.19,<2.20', '-r meta/ee-requirements.txt')
    dist = tmp_path_factory.mktemp('dist')
    tarball = build_collection_tarball(galaxy=bin_dir / 'ansible-galaxy', output=dist)
    collections = tmp_path_factory.mktemp('ee') / 'collections'  # the EE's /usr/share/ansible/collections
    # Without PYTHONPATH: the copy of the tree on it would count as installed already.
    environ = dict((name, value) for name, value in os.environ.items() if name != 'PYTHONPATH')
    subprocess.run([str(bin_dir / 'ansible-galaxy'), 'collection', 'install', '--offline', '-p', str(collections), str(tarball)],
                   check=True, stdout=subprocess.DEVNULL, env=environ)
    return bin_dir, collections


def lay_out_private_data_dir(pdd, demo_report_dir):
    """env/extravars, env/settings, inventory/hosts and project/ as AWX writes them."""
    shutil.copytree(REPO_DEMO, pdd / 'project' / 'demo')
    shutil.copy2(HERE / 'project' / 'awx_job.yml', pdd / 'project' / 'awx_job.yml')
    (pdd / 'env').mkdir()
    extravars = {'awx_job_id': JOB_ID, 'tower_job_id': JOB_ID, 'awx_job_launch_type': 'manual',
                 'awx_job_template_name': 'Key Manager demo', 'awx_user_name': 'admin',
                 'demo_report_dir': str(demo_report_dir),
                 'awx_byok_material': base64.b64encode(KEY_MATERIAL).decode(), 'awx_message': MESSAGE,
                 'awx_survey_keys': SURVEY_KEYS}
    (pdd / 'env' / 'extravars').write_text(json.dumps(extravars), encoding='utf-8')
    settings = {'job_timeout': 600, 'suppress_ansible_output': True, 'suppress_output_file': False}
    (pdd / 'env' / 'settings').write_text(json.dumps(settings), encoding='utf-8')
    inventory = {'all': {'hosts': ['localhost']}, '_meta': {'hostvars': {'localhost': {
        'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}'}}}}
    script = pdd / 'inventory' / 'hosts'
    script.parent.mkdir()
    script.write_text(INVENTORY_SCRIPT % repr(inventory), encoding='utf-8')
    script.chmod(0o700)


def job_environment(pdd, collections, credential):
    """build_env's variables (the ones a job can see), then the credential's injectors."""
    search = '%s/requirements_collections:~/.ansible/collections:%s' % (pdd, collections)
    environ = {'ANSIBLE_RETRY_FILES_ENABLED': 'False', 'ANSIBLE_HOST_KEY_CHECKING': 'False',
               'ANSIBLE_INVENTORY_UNPARSED_FAILED': 'True', 'ANSIBLE_COLLECTIONS_PATH': search,
               'ANSIBLE_ROLES_PATH': '%s/requirements_roles:~/.ansible/roles' % pdd,
               'ANSIBLE_SSH_CONTROL_PATH_DIR': str(pdd / 'cp'), 'AWX_PRIVATE_DATA_DIR': str(pdd),
               'JOB_ID': str(JOB_ID), 'INVENTORY_ID': '1', 'PROJECT_REVISION': 'main', 'MAX_EVENT_RES': '700000',
               'AWX_HOST': 'https://awx.example.test'}
    environ.update(render_env(yaml.safe_load(DEFINITION.read_text(encoding='utf-8')), credential))
    return environ


def stored_output(artifacts):
    """What AWX keeps of a job: its events and its stdout."""
    texts = [path.read_text(encoding='utf-8') for path in sorted((artifacts / 'job_events').glob('*.json'))]
    return texts, (artifacts / 'stdout').read_text(encoding='utf-8')


def test_a_job_run_as_awx_runs_it(job_python, km_emulator, tmp_path, monkeypatch):
    bin_dir, collections = job_python
    pdd = tmp_path / 'pdd'
    lay_out_private_data_dir(pdd, tmp_path / 'demo-report')
    secret_key = str(uuid.uuid4())
    credential = {'access_key': 'SCWAWXJOB01234567890', 'secret_key': secret_key, 'project_id': str(uuid.uuid4()),
                  'organization_id': '', 'region': 'fr-par', 'api_url': km_emulator.url}
    # Nothing from this process may reach the job: no SCW_* (the credential alone gives them), no scw
    # config file, no PYTHONPATH pointing at the tree instead of the installed tarball.
    for name in [name for name in os.environ if name.startswith(('SCW_', 'ANSIBLE_'))] + ['PYTHONPATH']:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('HOME', str(tmp_path))
    # In an EE, the image's ansible-playbook is the one on PATH.
    monkeypatch.setenv('PATH', os.pathsep.join([str(bin_dir), os.environ['PATH']]))
    runner = ansible_runner.run(private_data_dir=str(pdd), playbook='awx_job.yml', ident=str(JOB_ID),
                                envvars=job_environment(pdd, collections, credential), suppress_env_files=True,
                                quiet=True)
    artifacts = pdd / 'artifacts' / str(JOB_ID)
    events, stdout = stored_output(artifacts)
    assert (runner.status, runner.rc) == ('successful', 0), stdout[-3000:]
    assert not (pdd / 'env' / 'envvars').exists()
    # The search below means something only if the events hold the tasks that handled the secrets.
    assert any('Bring your own key material' in text and 'awx-byok' in text for text in events)
    assert any('Sign a confidential message' in text for text in events)
    forbidden = [secret_key, KEY_MATERIAL.decode(), base64.b64encode(KEY_MATERIAL).decode(), MESSAGE]
    for text in events + [stdout]:
        assert not [secret for secret in forbidden if secret in text]
    stats = [json.loads(text) for text in events if '"playbook_on_stats"' in text][0]['event_data']['artifact_data']
    survey = stats['scwkms_keyring_stats']['awx-survey']
    assert survey['totals']['created'] == 2 and survey['msg']
    assert [(key['name'], key['status']) for key in survey['keys']] == [('awx-survey-a', 'changed'), ('awx-survey-b', 'changed')]
    assert all(uuid.UUID(key['id']) for key in survey['keys'])
    # The demo ran its keyring four times: the summary is its last run's alone, the final pruning.
    demo = stats['scwkms_keyring_stats']['demo']
    assert len(demo['keys']) == demo['totals']['keys'] == demo['totals']['scheduled_for_deletion'] > 0
    assert survey['report_dir'] == str(artifacts)
    assert (artifacts / 'keyring.md').is_file() and 'awx-survey-a' in (artifacts / 'keyring.md').read_text(encoding='utf-8')
