# shellcheck shell=bash
# What a CI job runs: its own emulator for the site's playbooks (here one smoke playbook).
bash run-against-emulator.sh site.yml
