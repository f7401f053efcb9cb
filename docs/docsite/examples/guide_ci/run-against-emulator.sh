# shellcheck shell=bash
# Usage: bash run-against-emulator.sh [ansible-playbook arguments]
# Starts the collection's Key Manager emulator on a free local port, runs ansible-playbook against it
# with throw-away credentials, and stops the emulator, whatever the playbook's result.
set -eu

url_file=$(mktemp)
python3 -m scwkms_emulator --host 127.0.0.1 --port 0 > "$url_file" &
emulator_pid=$!
trap 'kill "$emulator_pid"; rm -f "$url_file"' EXIT

# The emulator prints its base URL as its first line once it listens.
for _ in $(seq 100); do
  [ -s "$url_file" ] && break
  sleep 0.1
done

SCW_API_URL=$(head -n 1 "$url_file")
SCW_ACCESS_KEY=SCWXXXXXXXXXXXXXXXXX
SCW_SECRET_KEY=$(python3 -c 'import uuid; print(uuid.uuid4())')
SCW_DEFAULT_PROJECT_ID=$(python3 -c 'import uuid; print(uuid.uuid4())')
SCW_DEFAULT_REGION=fr-par
export SCW_API_URL SCW_ACCESS_KEY SCW_SECRET_KEY SCW_DEFAULT_PROJECT_ID SCW_DEFAULT_REGION

ansible-playbook "$@"
