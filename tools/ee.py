"""`make ee`: an ansible-builder build context for an execution environment holding the collection
built from this checkout (not from Galaxy) and its Python requirements, then the command that builds
the image. README.md ("Running from AWX or Automation Controller") gives the same recipe by hand.

Also builds the collection tarball (``build_collection_tarball``) for the AWX job test.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
from pathlib import Path

from tools.collection_copy import build_collection_copy
from tools.paths import BUILD_ROOT, REPO_ROOT, VENV_BIN

DIST = BUILD_ROOT / "dist"
EE_DIR = BUILD_ROOT / "ee"
# A base image with Python 3.11 packages, as ansible-builder's own documentation uses; ansible-core and
# ansible-runner are installed on it from PyPI. Any image with dnf (or --base-image's own
# package manager, see ansible-builder's options) does.
BASE_IMAGE = "quay.io/centos/centos:stream9"
ANSIBLE_CORE = "ansible-core>=2.19,<2.20"
REQUIREMENTS = REPO_ROOT / "meta" / "ee-requirements.txt"


def collection_version() -> str:
    match = re.search(r"^version:\s*(\S+)", (REPO_ROOT / "galaxy.yml").read_text(encoding="utf-8"), re.M)
    if not match:
        raise RuntimeError("galaxy.yml has no version")
    return match.group(1)


def build_collection_tarball(galaxy: Path = VENV_BIN / "ansible-galaxy", output: Path = DIST) -> Path:
    """``ansible-galaxy collection build`` of the working tree (its copy); returns the tarball's path."""
    copy = build_collection_copy()
    output.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(galaxy), "collection", "build", "--force", "--output-path", str(output), str(copy)],
                   check=True, stdout=subprocess.DEVNULL)
    return output / ("scwkms-key_manager-%s.tar.gz" % collection_version())


def definition(tarball_name: str, base_image: str) -> dict:
    """execution-environment.yml, version 3 (JSON is YAML)."""
    return {
        "version": 3,
        "images": {"base_image": {"name": base_image}},
        "dependencies": {
            "python_interpreter": {"package_system": "python3.11", "python_path": "/usr/bin/python3.11"},
            "ansible_core": {"package_pip": ANSIBLE_CORE},
            "ansible_runner": {"package_pip": "ansible-runner"},
            "galaxy": "requirements.yml",
            "python": "requirements.txt",
        },
        # The tarball lands in _build/collections/ of the context, which the galaxy stage has at /build.
        "additional_build_files": [{"src": tarball_name, "dest": "collections"}],
    }


def write_definition(directory: Path, tarball: Path, base_image: str = BASE_IMAGE) -> Path:
    """The EE definition and its inputs in ``directory``; returns the definition's path."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy2(tarball, directory / tarball.name)
    shutil.copy2(REQUIREMENTS, directory / "requirements.txt")
    galaxy = {"collections": [{"name": "/build/collections/%s" % tarball.name, "type": "file"}]}
    (directory / "requirements.yml").write_text(json.dumps(galaxy, indent=2) + "\n", encoding="utf-8")
    path = directory / "execution-environment.yml"
    path.write_text(json.dumps(definition(tarball.name, base_image), indent=2) + "\n", encoding="utf-8")
    return path


def create_context(directory: Path, builder: Path = VENV_BIN / "ansible-builder") -> Path:
    """``ansible-builder create``: the build context in ``directory``/context; returns it."""
    context = directory / "context"
    subprocess.run([str(builder), "create", "-f", "execution-environment.yml", "-c", "context",
                    "--output-filename", "Containerfile"], check=True, cwd=directory, stdout=subprocess.DEVNULL)
    return context


def build_command(context: Path, tag: str, runtime: str = "podman") -> str:
    return "%s build -f %s/Containerfile -t %s %s" % (runtime, context, tag, context)


def main(*args: str) -> int:
    parser = argparse.ArgumentParser(prog="make ee", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--base-image", default=BASE_IMAGE)
    parser.add_argument("--tag", default="scwkms-key-manager-ee:%s" % collection_version())
    parser.add_argument("--output", type=Path, default=EE_DIR)
    options = parser.parse_args(args)
    if options.output.exists():
        shutil.rmtree(options.output)
    tarball = build_collection_tarball()
    write_definition(options.output, tarball, options.base_image)
    context = create_context(options.output)
    print("ee: build context for %s in %s" % (tarball.name, context))
    print("ee: build the image with one of:")
    for runtime in ("podman", "docker"):
        print("  " + build_command(context, options.tag, runtime))
    return 0
