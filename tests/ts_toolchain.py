"""The Node toolchain for TypeScript renders: one `npm install` per dependency set, shared by symlink.

The dependency set is every TypeScript client library (templates/_profiles/clients.yml) plus the
generated projects' devDependencies (templates/_profiles/typescript.yml), so one install serves every
client x flavour render. It lives in a cache folder keyed by a hash of that set
(``$REDIS_RULES_NODE_CACHE``, default ``~/.cache/redis-rules-tests/node``): installed once, then reused
by later runs and by every xdist worker (a file lock serialises the first install). A render gets it
as a ``node_modules`` symlink: ESM resolution walks up from the importing file and ignores NODE_PATH.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "templates" / "_profiles"


class ToolchainUnavailable(RuntimeError):
    """node/npm are missing, or the install failed (the message says which)."""


def node_binaries() -> tuple[str, str] | None:
    """(node, npm) on PATH, or None."""
    node, npm = shutil.which("node"), shutil.which("npm")
    return (node, npm) if node and npm else None


def dependency_set() -> dict[str, str]:
    """package name -> version range: every TypeScript client plus the dev toolchain."""
    deps: dict[str, str] = {}
    for profile in yaml.safe_load((PROFILES / "clients.yml").read_text(encoding="utf-8")):
        if profile["language"] == "typescript":
            deps.update(json.loads("{" + profile["requirement"] + "}"))
    for tool in yaml.safe_load((PROFILES / "typescript.yml").read_text(encoding="utf-8")):
        if tool["kind"] == "dev":
            deps[tool["name"]] = tool["range"]
    return dict(sorted(deps.items()))


def _cache_root() -> Path:
    explicit = os.environ.get("REDIS_RULES_NODE_CACHE")
    return Path(explicit) if explicit else Path.home() / ".cache" / "redis-rules-tests" / "node"


@cache
def node_modules() -> Path:
    """The shared node_modules for the current dependency set, installed on first use."""
    if node_binaries() is None:
        raise ToolchainUnavailable("node and npm are not on PATH")
    deps = dependency_set()
    key = hashlib.sha256(json.dumps(deps, sort_keys=True).encode()).hexdigest()[:16]
    root = _cache_root()
    root.mkdir(parents=True, exist_ok=True)
    target = root / key
    with (root / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer; the others wait and reuse its result
        if not (target / "node_modules" / ".package-lock.json").is_file():
            _install(deps, root, target)
    return target / "node_modules"


def _install(deps: dict[str, str], root: Path, target: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix="install-", dir=root))
    try:
        manifest = {"name": "redis-rules-ts-toolchain", "private": True, "type": "module", "dependencies": deps}
        (staging / "package.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        proc = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
            cwd=staging,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if proc.returncode != 0:
            tail = " ".join((proc.stdout + proc.stderr).split())[-600:]
            raise ToolchainUnavailable(f"npm install failed: {tail}")
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)  # complete installs only
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def link(project: Path) -> Path:
    """Give a rendered project the shared packages; returns the project.

    ``node_modules`` is a folder of its own holding one symlink per shared package (scopes and .bin
    included), so what tools write there (vite's cache) stays in this project.
    """
    shared = node_modules()
    own = project / "node_modules"
    own.mkdir(exist_ok=True)
    for entry in shared.iterdir():
        if entry.name in (".package-lock.json", ".vite", ".vitest"):
            continue
        target = own / entry.name
        if not target.exists() and not target.is_symlink():
            target.symlink_to(entry, target_is_directory=entry.is_dir())
    return project


def installed_version(package: str) -> str:
    """The installed version of ``package`` in the shared toolchain (for reports)."""
    manifest = node_modules() / package / "package.json"
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
