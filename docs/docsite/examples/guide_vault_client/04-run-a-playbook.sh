# shellcheck shell=bash
ansible-playbook --vault-id prod@./scwkms-vault-client.py site.yml

# The same without the option: ansible.cfg (here another one, team.cfg) names the vault ids to use.
ANSIBLE_CONFIG=team.cfg ansible-playbook site.yml
