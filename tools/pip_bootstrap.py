"""Give ``ansible-test sanity --venv`` a pip bootstrap script it does not have to download.

ansible-test creates each sanity virtualenv without pip, then runs a get-pip.py that it downloads from
a host this project's machines cannot reach, unless a copy is cached at
``~/.ansible/test/cache/get_pip_<pip version with underscores>.py``
(ansible_test/_util/target/setup/requirements.py, ``bootstrap()``). The stand-in written there
installs pip from the standard library's ensurepip, then runs ``pip install`` with the arguments
ansible-test gives (the pinned pip version), through the machine's ordinary pip configuration.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

CACHE_DIR = Path("~/.ansible/test/cache").expanduser()

STAND_IN = '''\
"""Stand-in for get-pip.py written by scwkms.key_manager's tools/pip_bootstrap.py."""
import subprocess
import sys

# ensurepip runs in a subprocess: its bootstrap() sets PIP_CONFIG_FILE=/dev/null in this process's
# environment, which would hide the machine's pip configuration (index, certificates) from the
# pip install below.
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
# get-pip.py options that pip install does not know.
arguments = [argument for argument in sys.argv[1:] if argument not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + arguments))
'''


def ansible_test_pip_version() -> str:
    """The pip version ansible-test bootstraps, read from its source (get_venv_packages)."""
    spec = importlib.util.find_spec("ansible_test")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("ansible_test is not importable: is ansible-core installed in .venv?")
    source = Path(spec.submodule_search_locations[0], "_internal", "python_requirements.py")
    match = re.search(r"""\bpip=['"]([0-9.]+)['"]""", source.read_text(encoding="utf-8"))
    if not match:
        raise RuntimeError("cannot find the pip version ansible-test bootstraps in %s" % source)
    return match.group(1)


def ensure_pip_bootstrap_script() -> Path:
    """Write the stand-in unless a bootstrap script (real or stand-in) is already cached."""
    path = CACHE_DIR / ("get_pip_%s.py" % ansible_test_pip_version().replace(".", "_"))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(STAND_IN, encoding="utf-8")
        print("pip bootstrap: wrote a stand-in for ansible-test at %s" % path, flush=True)
    return path
