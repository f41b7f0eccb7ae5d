"""The project policy that lint and audit check against.

A generated project carries `.redis-rules.yml` (rendered from the answers, so it
changes with `redis-rules update`). Outside a generated project the defaults below
apply: the brief's default answers. The file is read with safe_yaml and checked against
schemas/policy.schema.json before any field is used, so a mistake (`lint.ignore: RR007`
as a string, `environments: prod`, an unknown key) is a one-line error naming the field
(exit 2), never a silently different result.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def check_policy_data(data: Any, where: str) -> dict[str, Any]:
    """The parsed policy, validated against schemas/policy.schema.json; UserError '<where>: <field>: ...'."""
    # imported here: YAML and jsonschema cost a run ~60 ms, and a lint without a policy file needs neither
    from . import safe_yaml
    from .schema import first_problem, load_schema

    data = safe_yaml.as_mapping(data, where)
    problem = first_problem(data, load_schema("policy")) or _answer_rule_problem(data)
    if problem:
        raise UserError(f"{where}: {problem}")
    return data


_WILDCARD = frozenset("*?[\\")


def _answer_rule_problem(data: dict[str, Any]) -> str | None:
    """What the answers' validators (copier.yml, templates/_includes/validators.jinja) refuse and the schema
    cannot say, because it spans fields: a hand-edited policy must not loosen what `new` would refuse.
    Each function below bears the name of the validator it restates (stock Copier cannot call Python);
    tests/hostile/test_policy.py checks the two agree."""
    defaults = Policy()
    key_format: str = data.get("key_format", defaults.key_format)
    return key_format_error(key_format) or persistent_keys_error(
        data.get("persistent_keys", []),
        data.get("app", defaults.app),
        data.get("environments", defaults.environments),
        key_format,
    )


def key_format_error(key_format: str) -> str | None:
    """copier.yml `key_format` validator, its cross-segment part (the schema checks each segment)."""
    parts = key_format.split(":")
    repeated = next((part for part in parts if part.startswith("{") and parts.count(part) > 1), None)
    if repeated:
        return f"key_format: placeholder {repeated} is repeated"
    if parts[-1] != "{id}":
        return "key_format: {id} must be the last segment, so keys of one entity share a prefix"
    if "{domain}" not in parts or "{entity}" not in parts:
        return "key_format: must contain {domain} and {entity}, so keys of different domains and entities never collide"
    return None


def persistent_keys_error(
    entries: list[dict[str, str]], app: str, environments: list[str], key_format: str
) -> str | None:
    """validators.jinja `persistent_keys_error`: a blank reason, or a pattern that names no domain or entity."""
    fixed = {app, *key_format.split(":"), *environments}
    for index, entry in enumerate(entries):
        if not entry["reason"].strip():
            return f"persistent_keys[{index}].reason: must say why these keys may live without TTL"
        pattern: str = entry["pattern"]
        if not any(part and part not in fixed and not _WILDCARD & set(part) for part in pattern.split(":")):
            return (
                f"persistent_keys[{index}].pattern: {pattern!r} would exempt keys of every domain from the TTL"
                " rule; name a domain or entity as a whole segment without wildcards, e.g. '*:config:*'"
            )
    return None


def load_policy(path: Path) -> Policy:
    """Read one policy file (bounded, UTF-8, schema-checked); errors are one line naming the file and field."""
    from . import safe_yaml

    where = f"policy {path}"
    return policy_from_data(check_policy_data(safe_yaml.load_file(path, where), where), path)


def policy_from_data(data: dict[str, Any], path: Path) -> Policy:
    """The Policy of a file's data that check_policy_data accepted."""
    top = {k: v for k, v in data.items() if k not in ("lint", "audit", "version")}
    policy = Policy(**top)
    policy.lint = LintPolicy(**(data.get("lint") or {}))
    policy.audit = AuditPolicy(**(data.get("audit") or {}))
    policy.source = path
    return policy


def start_folder(start: Path) -> Path:
    """The absolute folder a lookup upwards from `start` (a folder, or a file in it) begins at. A symlink loop
    (RuntimeError from Path.resolve in Python 3.11) or a folder not to be looked into starts at the parent of
    the unresolved path, and is reported when it is read."""
    try:
        resolved = start.resolve()
        return resolved if resolved.is_dir() else resolved.parent
    except (OSError, RuntimeError):
        return Path(os.path.abspath(start)).parent


def policy_file_above(start: Path) -> Path | None:
    """The nearest `.redis-rules.yml` in `start` (a folder or file's folder) or above it, or None. Whatever
    has that name is the project's policy, so a folder, FIFO or dangling link of that name is refused when it is
    read (trial 14: a folder was passed over, and the defaults used without a word). A folder this user may not
    look into (chmod 000) is passed over: its files are unreadable anyway."""
    first = start_folder(start)
    for folder in [first, *first.parents]:
        candidate = folder / POLICY_FILE
        if os.path.lexists(candidate):
            return candidate
    return None


def find_policy(start: Path) -> Policy:
    """The policy of the project containing `start` (walking up), else the defaults."""
    path = policy_file_above(start)
    return Policy() if path is None else load_policy(path)
