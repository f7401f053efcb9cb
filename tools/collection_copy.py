"""Keep .build/ansible_collections/scwkms/key_manager in step with the working tree.

ansible-test insists on running inside ansible_collections/<namespace>/<name>; ansible-playbook and plain
pytest find the collection through the same directory (ANSIBLE_COLLECTIONS_PATH, PYTHONPATH). A copy,
not a symlink: ansible-test takes its layout from os.getcwd(), which resolves a symlink back to the
repository root, a directory not named ansible_collections/scwkms/key_manager.

The copy holds what git would commit (tracked files, plus untracked files that are not ignored), so a
file that is not yet added still gets tested, and virtualenvs, caches and test output never do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tools.paths import BUILD_ROOT, COLLECTION_COPY, REPO_ROOT

# Kept in the copy across syncs: ansible-test's results, useful to read after a failed run.
PRESERVED_IN_COPY = ("tests/output/",)


def files_git_would_commit() -> list[str]:
    """Paths relative to the repository root: tracked plus untracked-not-ignored, deleted ones left out."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT, check=True, capture_output=True,
    ).stdout.decode()
    # --cached still lists a tracked file deleted from the working tree; isfile() also drops submodules.
    return sorted({path for path in listing.split("\0") if path and (REPO_ROOT / path).is_file()})


def is_preserved(relative_path: str) -> bool:
    return relative_path.startswith(PRESERVED_IN_COPY)


def remove_stale_files(wanted: set[str]) -> None:
    """Delete files of the copy that are no longer in the tree, then the directories left empty."""
    for directory, _subdirectories, file_names in os.walk(COLLECTION_COPY, topdown=False):
        for file_name in file_names:
            path = Path(directory, file_name)
            relative = path.relative_to(COLLECTION_COPY).as_posix()
            if relative not in wanted and not is_preserved(relative):
                path.unlink()
        if directory != str(COLLECTION_COPY) and not os.listdir(directory):
            os.rmdir(directory)


def is_up_to_date(source: Path, target: Path) -> bool:
    if not target.is_file():
        return False
    source_stat, target_stat = source.stat(), target.stat()
    return source_stat.st_size == target_stat.st_size and source_stat.st_mtime_ns == target_stat.st_mtime_ns


def copy_changed_files(files: list[str]) -> int:
    """Copy what differs (size or mtime; copy2 keeps the mtime); returns how many files were copied."""
    copied = 0
    for relative in files:
        source, target = REPO_ROOT / relative, COLLECTION_COPY / relative
        if is_up_to_date(source, target):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        copied += 1
    return copied


def build_collection_copy() -> Path:
    """Sync the copy with the working tree and return its path."""
    files = files_git_would_commit()
    COLLECTION_COPY.mkdir(parents=True, exist_ok=True)
    remove_stale_files(set(files))
    copied = copy_changed_files(files)
    print("collection copy: %s (%d files, %d updated)" % (COLLECTION_COPY.relative_to(REPO_ROOT), len(files), copied), flush=True)
    return COLLECTION_COPY


def collections_path() -> str:
    """The value for ANSIBLE_COLLECTIONS_PATH and PYTHONPATH: the directory holding ansible_collections."""
    return str(BUILD_ROOT)
