"""The project policy that lint and audit check against.

A generated project carries `.redis-rules.yml` (rendered from the answers, so it
changes with `redis-rules update`). Outside a generated project the defaults below
apply: the brief's default answers.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from .errors import UserError

POLICY_FILE = ".redis-rules.yml"

DEFAULT_TTL_CLASSES = {
    "session": 604800,
    "cache_short": 60,
    "cache_medium": 300,
    "cache_long": 3600,
    "rate_limit_window": 60,
    "idempotency": 86400,
    "lock": 30,
}


@dataclass
class LintPolicy:
    select: list[str] = field(default_factory=list)  # empty: every rule
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)  # glob -> rule ids
    reset_scripts: list[str] = field(default_factory=lambda: ["scripts/reset*.py", "**/reset_*.py"])
    client_factories: list[str] = field(default_factory=list)  # dotted names, e.g. pkg.db.redis.client.get_client
    exclude: list[str] = field(default_factory=list)  # globs of paths lint skips
    edge_dirs: list[str] = field(default_factory=lambda: ["src/edge/"])  # code for edge runtimes (no TCP client)
    # RR002 for hashes, sets, sorted sets and lists written with no EXPIRE at all. Off outside a project: in a
    # library a container without TTL is usually durable by design (a queue, a registry). A redis-rules project
    # turns it on (its policy says every key has a TTL unless persistent_keys allows it).
    containers_need_ttl: bool = False


@dataclass
class AuditPolicy:
    stream_maxlen: int = 10000
    big_key_bytes: int = 1_048_576
    big_key_elements: int = 10_000


@dataclass
class Policy:
    app: str = "my-service"
    key_format: str = "{app}:{env}:{domain}:{entity}:{id}"
    environments: list[str] = field(default_factory=lambda: ["dev", "test", "staging", "prod"])
    redis_url_env: str = "REDIS_URL"
    default_ttl: int = 3600
    ttl_classes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_TTL_CLASSES))
    persistent_keys: list[dict[str, str]] = field(default_factory=list)
    ttl_jitter_pct: int = 10
    module_path: str = ""
    client: str = "redis-py"
    flavour: str = "self-hosted"
    lint: LintPolicy = field(default_factory=LintPolicy)
    audit: AuditPolicy = field(default_factory=AuditPolicy)
    source: Path | None = None  # the file this came from, None for defaults

    @property
    def max_ttl(self) -> int:
        """The longest TTL a key may have: the largest class plus the cache jitter band."""
        largest = max([self.default_ttl, *self.ttl_classes.values()])
        return largest + (largest * self.ttl_jitter_pct + 99) // 100

    def is_persistent(self, key: str) -> bool:
        """True when the key matches an allowlisted persistent pattern (Redis-style glob)."""
        return any(fnmatch.fnmatchcase(key, entry["pattern"]) for entry in self.persistent_keys)


def _section(data: dict[str, Any], name: str, cls: type, path: Path) -> Any:
    raw = data.get(name) or {}
    if not isinstance(raw, dict):
        raise UserError(f"{path}: '{name}' must be a mapping")
    known = {f.name for f in fields(cls)}
    unknown = set(raw) - known
    if unknown:
        raise UserError(f"{path}: unknown key(s) {sorted(unknown)} in '{name}' (allowed: {sorted(known)})")
    return cls(**raw)


def load_policy(path: Path) -> Policy:
    """Read one policy file; errors name the file and field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise UserError(f"policy: cannot read {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise UserError(f"policy: {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise UserError(f"policy: {path} must be a YAML mapping")
    top = {k: v for k, v in data.items() if k not in ("lint", "audit", "version")}
    known = {f.name for f in fields(Policy)} - {"lint", "audit", "source"}
    unknown = set(top) - known
    if unknown:
        raise UserError(f"policy: unknown key(s) {sorted(unknown)} in {path} (allowed: {sorted(known)})")
    policy = Policy(**top)
    policy.lint = _section(data, "lint", LintPolicy, path)
    policy.audit = _section(data, "audit", AuditPolicy, path)
    policy.source = path
    return policy


def find_policy(start: Path) -> Policy:
    """The policy of the project containing `start` (walking up), else the defaults."""
    start = start.resolve()
    for folder in [start, *start.parents] if start.is_dir() else [start.parent, *start.parent.parents]:
        candidate = folder / POLICY_FILE
        if candidate.is_file():
            return load_policy(candidate)
    return Policy()
