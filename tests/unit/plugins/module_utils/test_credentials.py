# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.scwkms.key_manager.plugins.module_utils._credentials import (
    CredentialsError, require_project, resolve_settings,
)
from ansible_collections.scwkms.key_manager.plugins.module_utils._errors import UserError

SECRET_OPT = '11111111-1111-1111-1111-111111111111'
SECRET_ENV = '22222222-2222-2222-2222-222222222222'
SECRET_ROOT = '33333333-3333-3333-3333-333333333333'
SECRET_NAMED = '44444444-4444-4444-4444-444444444444'
SECRET_ACTIVE = '55555555-5555-5555-5555-555555555555'
PROJECT = '66666666-6666-6666-6666-666666666666'

CONFIG = """
secret_key: %s
default_region: nl-ams
default_project_id: %s
active_profile: active
profiles:
  named:
    secret_key: %s
  active:
    secret_key: %s
    default_region: pl-waw
""" % (SECRET_ROOT, PROJECT, SECRET_NAMED, SECRET_ACTIVE)


@pytest.fixture
def config(tmp_path):
    path = tmp_path / 'scw' / 'config.yaml'
    path.parent.mkdir()
    path.write_text(CONFIG)
    return path


def env_with(config_path=None, **values):
    environ = {'HOME': '/nonexistent'}
    if config_path:
        environ['SCW_CONFIG_PATH'] = str(config_path)
    environ.update(values)
    return environ


def test_option_beats_environment_beats_profile(config):
    settings = resolve_settings({'secret_key': SECRET_OPT}, env_with(config, SCW_SECRET_KEY=SECRET_ENV))
    assert settings.secret_key == SECRET_OPT
    assert settings.origins['secret_key'] == 'option secret_key'
    settings = resolve_settings({}, env_with(config, SCW_SECRET_KEY=SECRET_ENV))
    assert settings.secret_key == SECRET_ENV
    assert settings.origins['secret_key'] == 'environment variable SCW_SECRET_KEY'


def test_profile_option_beats_scw_profile_beats_active_profile_beats_root(config):
    environ = env_with(config, SCW_PROFILE='named')
    assert resolve_settings({'profile': 'default'}, environ).secret_key == SECRET_ROOT
    assert resolve_settings({}, environ).secret_key == SECRET_NAMED
    assert resolve_settings({}, env_with(config)).secret_key == SECRET_ACTIVE


def test_named_profile_is_merged_over_root(config):
    settings = resolve_settings({'profile': 'named'}, env_with(config))
    assert settings.secret_key == SECRET_NAMED
    assert settings.region == 'nl-ams'  # from the root profile
    assert settings.project_id == PROJECT
    assert settings.origins['region'] == "default_region (profile 'named' of %s)" % config


def test_environment_beats_profile_for_region(config):
    settings = resolve_settings({}, env_with(config, SCW_DEFAULT_REGION='fr-par'))
    assert settings.region == 'fr-par'


def test_defaults_apply_last():
    settings = resolve_settings({'secret_key': SECRET_OPT}, env_with())
    assert settings.api_url == 'https://api.scaleway.com'
    assert settings.region == 'fr-par'
    assert settings.validate_certs is True
    assert settings.project_id is None


def test_xdg_config_home_is_used_when_no_explicit_path(config):
    settings = resolve_settings({}, {'XDG_CONFIG_HOME': str(config.parent.parent)})
    assert settings.secret_key == SECRET_ACTIVE


def test_config_file_option_beats_scw_config_path(config, tmp_path):
    other = tmp_path / 'other.yaml'
    other.write_text('secret_key: %s\n' % SECRET_OPT)
    assert resolve_settings({'config_file': str(other)}, env_with(config)).secret_key == SECRET_OPT


def test_api_url_trailing_slash_is_dropped():
    settings = resolve_settings({'secret_key': SECRET_OPT, 'api_url': 'http://127.0.0.1:8080/'}, env_with())
    assert settings.api_url == 'http://127.0.0.1:8080'


@pytest.mark.parametrize('options, environ, message', [
    ({}, {}, 'secret_key: no Scaleway secret key found'),
    ({'secret_key': 'not-a-uuid'}, {}, 'secret_key: the secret key from option secret_key is not a UUID'),
    ({}, {'SCW_SECRET_KEY': 'hunter2'}, 'secret_key: the secret key from environment variable SCW_SECRET_KEY is not a UUID'),
    ({'secret_key': SECRET_OPT, 'access_key': 'AKIA123'}, {}, 'access_key: the access key from option access_key'),
    ({'secret_key': SECRET_OPT, 'region': 'us-east-1'}, {},
     "region (from option region): 'us-east-1' is not a Key Manager region; use one of fr-par, nl-ams, pl-waw"),
    ({'secret_key': SECRET_OPT}, {'SCW_DEFAULT_REGION': 'fr-pa'}, 'from environment variable SCW_DEFAULT_REGION'),
    ({'secret_key': SECRET_OPT, 'project_id': 'my-project'}, {}, "project_id: 'my-project' from option project_id is not a UUID"),
    ({'secret_key': SECRET_OPT, 'api_url': 'api.scaleway.com'}, {}, "api_url: 'api.scaleway.com' (from option api_url) is not an http(s) URL"),
    ({'secret_key': SECRET_OPT, 'api_url': 'https://api.scaleway.com?x=1'}, {}, 'is not an http(s) URL without query'),
    ({'secret_key': SECRET_OPT, 'timeout': 0}, {}, 'timeout: must be a positive number'),
    ({'secret_key': SECRET_OPT, 'timeout': float('inf')}, {}, 'timeout: must be a positive number'),
    ({'secret_key': SECRET_OPT, 'retry_deadline': -1}, {}, 'retry_deadline: must be 0 or more'),
    ({'secret_key': SECRET_OPT, 'profile': 'nope'}, {}, "profile: profile 'nope' was asked for, but there is no Scaleway config file"),
    ({'secret_key': SECRET_OPT, 'config_file': '/nonexistent/config.yaml'}, {},
     'config_file: the Scaleway config file /nonexistent/config.yaml does not exist'),
])
def test_bad_settings_fail_clearly_and_never_echo_secrets(options, environ, message):
    environ = dict(environ, HOME='/nonexistent')
    with pytest.raises(UserError) as error:
        resolve_settings(options, environ)
    assert message in str(error.value)
    assert 'hunter2' not in str(error.value)
    assert 'not-a-uuid' not in str(error.value)


def test_unknown_profile_lists_the_known_ones(config):
    with pytest.raises(UserError, match="profile 'nope' is not in .*; profiles there: active, named"):
        resolve_settings({'profile': 'nope'}, env_with(config))


def test_require_project():
    settings = resolve_settings({'secret_key': SECRET_OPT}, env_with())
    with pytest.raises(CredentialsError, match='project_id: this task needs a Scaleway project'):
        require_project(settings)
    assert require_project(settings, PROJECT) == PROJECT


# Surrounding whitespace: vault block scalars, Kubernetes and AWX secrets often end with a newline.

@pytest.mark.parametrize('padded', ['%s\n', ' %s ', '\t%s\r\n'])
def test_surrounding_whitespace_is_not_part_of_any_value(config, padded):
    options = {'access_key': padded % 'SCWXXXXXXXXXXXXXXXXX', 'organization_id': padded % PROJECT,
               'api_url': padded % 'http://127.0.0.1:8080/', 'profile': padded % 'named'}
    environ = env_with(padded % config, SCW_SECRET_KEY=padded % SECRET_ENV, SCW_DEFAULT_REGION=padded % 'pl-waw',
                       SCW_DEFAULT_PROJECT_ID=padded % PROJECT)
    settings = resolve_settings(options, environ)
    assert (settings.access_key, settings.secret_key, settings.organization_id, settings.project_id) == (
        'SCWXXXXXXXXXXXXXXXXX', SECRET_ENV, PROJECT, PROJECT)
    assert (settings.region, settings.api_url) == ('pl-waw', 'http://127.0.0.1:8080')


def test_config_file_values_are_stripped(tmp_path):
    path = tmp_path / 'config.yaml'
    path.write_text('secret_key: "%s\\n"\ndefault_region: " nl-ams "\nactive_profile: " p "\nprofiles:\n  p:\n'
                    '    default_project_id: "%s\\n"\n' % (SECRET_ROOT, PROJECT))
    settings = resolve_settings({}, env_with(path))
    assert (settings.secret_key, settings.region, settings.project_id) == (SECRET_ROOT, 'nl-ams', PROJECT)


def test_whitespace_only_counts_as_unset(config):
    settings = resolve_settings({'secret_key': ' \n', 'region': '  ', 'profile': '\n'},
                                env_with(config, SCW_SECRET_KEY='\n', SCW_DEFAULT_REGION=' '))
    assert settings.secret_key == SECRET_ACTIVE
    assert settings.origins['secret_key'].startswith('secret_key (profile ')
    assert settings.region == 'pl-waw'


def test_require_project_strips_and_matches_the_whole_value():
    settings = resolve_settings({'secret_key': SECRET_OPT}, env_with())
    assert require_project(settings, PROJECT + '\n') == PROJECT
    with pytest.raises(CredentialsError, match='is not a UUID'):
        require_project(settings, PROJECT + '\nx')


@pytest.mark.parametrize('bad', ['x' + SECRET_ENV, SECRET_ENV + '\nextra', SECRET_ENV[:-1] + ' \n'])
def test_a_bad_secret_is_never_echoed(bad):
    with pytest.raises(CredentialsError) as error:
        resolve_settings({}, env_with(SCW_SECRET_KEY=bad))
    assert 'from environment variable SCW_SECRET_KEY is not a UUID' in str(error.value)
    assert SECRET_ENV[:8] not in str(error.value) and SECRET_ENV[-12:-1] not in str(error.value)


# api_url: no user info, and warnings for what is allowed but unsafe.

@pytest.mark.parametrize('url', ['https://user:hunter2@api.example.com', 'http://hunter2@127.0.0.1:8080/x',
                                 'user:hunter2@api.example.com', 'https://user:hunter2@host?x#y'])
def test_api_url_with_user_info_is_refused_without_echo(url):
    with pytest.raises(CredentialsError) as error:
        resolve_settings({'secret_key': SECRET_OPT, 'api_url': url}, env_with())
    assert 'api_url: the URL (from option api_url) holds a user name or password' in str(error.value)
    assert 'hunter2' not in str(error.value)


def test_an_at_sign_in_the_path_is_not_user_info():
    settings = resolve_settings({'secret_key': SECRET_OPT, 'api_url': 'https://proxy.example/kms@1'}, env_with())
    assert settings.api_url == 'https://proxy.example/kms@1'


@pytest.mark.parametrize('url', ['http://127.0.0.1:8080', 'http://127.1.2.3', 'http://localhost:1/x', 'http://[::1]:80',
                                 'https://api.scaleway.com', 'https://10.0.0.1'])
def test_no_warning_for_https_or_loopback(url):
    assert resolve_settings({'secret_key': SECRET_OPT, 'api_url': url}, env_with()).warnings == ()


@pytest.mark.parametrize('url, host', [('http://10.0.0.1:8080', '10.0.0.1'), ('http://kms.example.com', 'kms.example.com'),
                                       ('http://[2001:db8::1]/', '2001:db8::1'), ('HTTP://localhost.evil.example', 'localhost.evil.example')])
def test_plain_http_beyond_this_machine_warns(url, host):
    warning, = resolve_settings({'secret_key': SECRET_OPT, 'api_url': url}, env_with()).warnings
    assert warning.startswith('api_url is plain http:// to %s, a host that is not this machine' % host)


def test_validate_certs_false_warns():
    settings = resolve_settings({'secret_key': SECRET_OPT, 'validate_certs': False}, env_with())
    warning, = settings.warnings
    assert warning.startswith('validate_certs is false: the TLS certificate of api.scaleway.com is not checked')


def test_defaults_come_from_the_declaration():
    from ansible_collections.scwkms.key_manager.plugins.module_utils._options import BY_NAME
    settings = resolve_settings({'secret_key': SECRET_OPT}, env_with())
    for name in ('timeout', 'max_retries', 'retry_deadline', 'validate_certs'):
        assert getattr(settings, name) == BY_NAME[name].default
    assert (settings.region, settings.api_url) == (BY_NAME['region'].fallback, BY_NAME['api_url'].fallback)
