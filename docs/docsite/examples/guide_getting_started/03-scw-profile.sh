# shellcheck shell=bash
# A profile of the scw CLI's config file: the settings the environment does not give come from the
# selected profile (SCW_PROFILE here, or the profile option, or the file's active_profile).
cat > scw-config.yaml <<CONFIG
default_region: fr-par
profiles:
  staging:
    default_region: pl-waw
CONFIG
chmod 0600 scw-config.yaml

# The environment keeps the credentials; the region is left to the profile.
unset SCW_DEFAULT_REGION
SCW_CONFIG_PATH="$PWD/scw-config.yaml" SCW_PROFILE=staging ansible-playbook profile-region.yml
