# shellcheck shell=bash
# Sourced by the runme.sh of chaos and reproduce_trust (which names chaos in its aliases): puts the
# emulator back as the other targets expect it when the script exits, whatever happened. Needs CONFIG
# (integration_config.yml) and PYTHON.

# shellcheck disable=SC2329  # called by the EXIT trap below
restore_emulator() {  # faults off, the clock back to real time
    "${PYTHON}" - "${CONFIG}" <<'PY'
import datetime, json, sys, urllib.request
url = json.load(open(sys.argv[1]))['scwkms_api_url'] + '/_emulator/'
now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
urllib.request.urlopen(urllib.request.Request(url + 'faults', method='DELETE'), timeout=10)
urllib.request.urlopen(urllib.request.Request(url + 'clock', data=json.dumps({'now': now}).encode(),
                                              headers={'Content-Type': 'application/json'}), timeout=10)
PY
}
trap restore_emulator EXIT
