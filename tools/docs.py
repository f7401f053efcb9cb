"""The documentation site and the changelog: `make docs`, the docs stages of `make test`, `make changelog`.

* ``build()``: ``antsibull-docs sphinx-init --use-current`` writes a Sphinx project for the collection copy
  into .build/docs, then its own build.sh runs ``antsibull-docs collection`` and ``sphinx-build -W`` (every
  warning is an error, nitpicky references). Offline: Sphinx reads a small local inventory of the
  docs.ansible.com labels the generated pages use, instead of fetching inventories from the network.
* ``lint()``: ``antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs`` on the repository.
* ``changelog()``: regenerates CHANGELOG.rst from changelogs/changelog.yaml plus the pending fragments, shown
  under the version galaxy.yml declares, marked unreleased (see docs/developing.md, "Releasing").
"""

from __future__ import annotations

import shlex
import shutil
import tempfile
import zlib
from pathlib import Path

import yaml

from tools.collection_copy import build_collection_copy, collections_path
from tools.commands import run, venv_tool
from tools.paths import BUILD_ROOT, COLLECTION_NAME, COLLECTION_NAMESPACE, REPO_ROOT

COLLECTION = "%s.%s" % (COLLECTION_NAMESPACE, COLLECTION_NAME)
SITE = BUILD_ROOT / "docs"
CHANGELOG = REPO_ROOT / "CHANGELOG.rst"

# The docs.ansible.com labels that antsibull-docs' generated pages refer to: (label, page#anchor, title).
# A page that needs another one fails the build (nitpicky) and names it; add it here.
ANSIBLE_LABELS = (
    ("common_return_values", "reference_appendices/common_return_values.html#common-return-values", "Return Values"),
    ("ansible_configuration_settings", "reference_appendices/config.html#ansible-configuration-settings",
     "Ansible Configuration Settings"),
)
SPHINX_STEP = "# Build Sphinx site"
ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"
# ansible.builtin plugins that plugin docs refer to (M(ansible.builtin.copy), P(ansible.builtin.file#lookup)...).
BUILTIN_PLUGINS = (
    ("assert", "module"), ("copy", "module"), ("debug", "module"), ("include_vars", "module"), ("set_fact", "module"),
    ("template", "module"), ("uri", "module"), ("env", "lookup"), ("file", "lookup"), ("password", "lookup"),
    ("unvault", "lookup"), ("vars", "lookup"), ("host_group_vars", "vars"), ("b64decode", "filter"),
    ("b64encode", "filter"), ("vault", "filter"), ("unvault", "filter"),
)

# Appended to the generated conf.py: read only the local inventory, never the network.
OFFLINE_INTERSPHINX = """
# tools/docs.py: offline build. The one inventory is written next to this file from tools/docs.py's list
# (the path is relative to the source directory, rst/).
intersphinx_mapping = {'ansible_devel': (%r, '../ansible_devel.inv')}
""" % ANSIBLE_DOCS


def builtin_labels(plugins=BUILTIN_PLUGINS):
    """The labels of ansible.builtin plugin pages, as the Ansible docsite names them."""
    for name, kind in plugins:
        label = "ansible_collections.ansible.builtin.%s_%s" % (name, kind)
        anchor = label.replace(".", "-").replace("_", "-")
        yield label, "collections/ansible/builtin/%s_%s.html#%s" % (name, kind, anchor), "ansible.builtin.%s" % name


def write_inventory(path: Path, labels=ANSIBLE_LABELS + tuple(builtin_labels())) -> None:
    """A Sphinx v2 object inventory (objects.inv format) holding ``labels`` as std:label entries."""
    header = "# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n" \
             "# The remainder of this file is compressed using zlib.\n"
    entries = "".join("%s std:label -1 %s %s\n" % label for label in labels)
    path.write_bytes(header.encode() + zlib.compress(entries.encode()))


def docs_environment() -> dict[str, str]:
    return {"ANSIBLE_COLLECTIONS_PATH": collections_path()}


def fresh_site() -> Path:
    """An empty site directory; antsibull-docs wants it owned by us and writable by us only."""
    shutil.rmtree(SITE, ignore_errors=True)
    SITE.mkdir(mode=0o700, parents=True)
    return SITE


def add_examples_step(script: Path, examples: Path) -> None:
    """Make build.sh copy the guides' example files next to the generated guides before Sphinx runs: a guide
    (rst/docsite/<guide>.rst) includes ``../examples/<guide>/NN-name.yml``, the same relative path as in
    docs/docsite/. antsibull-docs' cleanup would delete files copied any earlier."""
    text = script.read_text(encoding="utf-8")
    if SPHINX_STEP not in text:
        raise RuntimeError("%s has no %r line to put the examples before" % (script, SPHINX_STEP))
    copy = 'rm -rf rst/examples && cp -R %s rst/examples\n' % shlex.quote(str(examples))
    script.write_text(text.replace(SPHINX_STEP, copy + SPHINX_STEP, 1), encoding="utf-8")


def build() -> int:
    """`make docs`: the HTML site in .build/docs/build/html, offline, failing on any Sphinx warning."""
    build_collection_copy()
    site = fresh_site()
    init = [venv_tool("antsibull-docs"), "sphinx-init", "--use-current", "--squash-hierarchy",
            "--title", "Scaleway Key Manager collection", "--dest-dir", str(site), COLLECTION]
    exit_code = run(init, **docs_environment())
    if exit_code:
        return exit_code
    with open(site / "conf.py", "a", encoding="utf-8") as conf:
        conf.write(OFFLINE_INTERSPHINX)
    write_inventory(site / "ansible_devel.inv")
    add_examples_step(site / "build.sh", build_collection_copy() / "docs" / "docsite" / "examples")
    exit_code = run(["bash", str(site / "build.sh")], cwd=site, **docs_environment())
    if not exit_code:
        print("docs: %s" % (site / "build" / "html" / "index.html"), flush=True)
    return exit_code


def lint() -> int:
    """antsibull-docs' checks of the plugin docs and the guides (labels, references, extra-docs.yml).

    On the repository itself, not the collection copy: the linter copies the collection with ``git ls-files``
    when it sits in a git work tree, which lists nothing in the git-ignored .build/ (the lint then saw no
    plugin at all and passed)."""
    return run(lint_command(REPO_ROOT))


def lint_command(root: Path) -> list[str]:
    return [venv_tool("antsibull-docs"), "lint-collection-docs", "--plugin-docs", "--check-extra-docs-refs",
            "--validate-collection-refs", "self", str(root)]


def galaxy_version(root: Path = REPO_ROOT) -> str:
    return str(yaml.safe_load((root / "galaxy.yml").read_text(encoding="utf-8"))["version"])


def pending_fragments(root: Path = REPO_ROOT) -> list[Path]:
    return sorted(path for path in (root / "changelogs" / "fragments").glob("*.yml"))


def render_changelog(root: Path, output: Path) -> int:
    """Write the changelog of the collection at ``root`` (a directory named like the collection) to ``output``:
    the released versions, then the pending fragments under galaxy.yml's version, marked unreleased. The
    release is made in a scratch copy; the repository's changelog.yaml and fragments are not touched."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch, "ansible_collections", COLLECTION_NAMESPACE, COLLECTION_NAME)
        copy.mkdir(parents=True)
        for part in ("galaxy.yml", "changelogs", "plugins", "roles", "meta"):
            source = root / part
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, copy / part)
        environment = {"ANSIBLE_COLLECTIONS_PATH": scratch}
        version, unreleased = galaxy_version(copy), bool(pending_fragments(copy))
        changelog_tool = venv_tool("antsibull-changelog")
        if unreleased:
            # A scratch release: the date is thrown away with the copy (the rst output shows none).
            exit_code = run([changelog_tool, "release", "--version", version, "--date", "2099-12-31"], cwd=copy,
                            **environment)
            if exit_code:
                return exit_code
        exit_code = run([changelog_tool, "generate"], cwd=copy, **environment)
        if exit_code:
            return exit_code
        text = (copy / "CHANGELOG.rst").read_text(encoding="utf-8")
    output.write_text(mark_unreleased(text, version) if unreleased else text, encoding="utf-8")
    return 0


def mark_unreleased(text: str, version: str) -> str:
    """The section of ``version`` titled "v<version> (unreleased)" (antsibull-changelog has no such mode)."""
    title = "v%s" % version
    marked = "%s (unreleased)" % title
    return text.replace("%s\n%s\n" % (title, "=" * len(title)), "%s\n%s\n" % (marked, "=" * len(marked)), 1)


def changelog() -> int:
    """`make changelog`: regenerate CHANGELOG.rst (after adding a fragment, or after a release)."""
    exit_code = render_changelog(build_collection_copy(), CHANGELOG)
    if not exit_code:
        print("changelog: %s" % CHANGELOG.relative_to(REPO_ROOT), flush=True)
    return exit_code
