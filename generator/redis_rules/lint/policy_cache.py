"""The policy of a lint run, with its schema check remembered.

Reading `.redis-rules.yml` means YAML and a JSON-schema check (jsonschema): ~100 ms of imports and schema
compilation, more than the rest of a one-file lint (the Claude hook, pre-commit). The data a check accepted is
kept in the project's lint cache (`.redis-rules-cache/policy-*.json`, see index.cache_folders) under a key of
the file's size and mtime, the schema's bytes and the lint code's version: an edited policy file, schema or
redis-rules is checked again. A cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import typing
from pathlib import Path
from typing import Any

from ..policy import Policy, check_policy_data, policy_file_above, policy_from_data
from .index import cache_folders, code_fingerprint, ensure_cache_folder, read_cache_file

FORMAT = 2  # bump when what is stored changes
MAX_BYTES = 1 << 20  # a policy's checked data is a few KB


def find_lint_policy(start: Path) -> Policy:
    """policy.find_policy, through the cache: the nearest policy file above `start`, else the defaults."""
    path = policy_file_above(start)
    return Policy() if path is None else load_lint_policy(path)


def load_lint_policy(path: Path) -> Policy:
    """policy.load_policy, through the cache (raises UserError naming the file and field, as it does)."""
    try:
        st = os.stat(path)
        key = _key(st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    name = f"policy-{hashlib.sha1(os.fsencode(os.path.abspath(path))).hexdigest()[:16]}.json"
    folders = list(cache_folders(path.parent))
    from .engine import policy_selectors

    if key is not None:
        for folder in folders:
            data = _read(folder / name, key)
            if data is None:
                continue
            try:  # data this code cannot use (written by hand with its checksum) is a miss, read from the file
                cached = policy_from_data(data, path)
                if _typed(cached) and _typed(cached.lint) and _typed(cached.audit):
                    policy_selectors(cached)
                    return cached
            except Exception:  # noqa: BLE001 - whatever the cached data breaks, the policy file decides
                continue
    from .. import safe_yaml

    where = f"policy {path}"
    data = check_policy_data(safe_yaml.load_file(path, where), where)
    policy = policy_from_data(data, path)
    policy_selectors(policy)  # a policy lint refuses is never remembered (nothing written for bad input)
    if key is not None:
        _write(folders, name, key, data)
    return policy


# schema.SCHEMA_DIR, without importing schema.py (it imports jsonschema, the cost this module avoids)
POLICY_SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "policy.schema.json"


def _key(size: int, mtime_ns: int) -> str:
    schema = POLICY_SCHEMA.read_bytes()
    return f"{FORMAT}|{size}|{mtime_ns}|{hashlib.sha1(schema).hexdigest()[:16]}|{code_fingerprint()}"


def _read(file: Path, key: str) -> dict[str, Any] | None:
    raw = read_cache_file(file, MAX_BYTES)  # a regular file this user wrote, not a FIFO, device or huge file
    if raw is None:
        return None
    try:
        stored = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key or not isinstance(stored.get("data"), dict):
        return None
    if stored.get("sum") != _sum(key, stored["data"]):  # edited by hand: the data skipped the schema check
        return None
    return stored["data"]


def _typed(obj: object) -> bool:
    """Does every field of a policy dataclass hold a value of its annotated type (list[str], dict[str, int]...)?
    The schema check guarantees it for data it accepted; cached data is checked this cheap way instead."""
    hints = typing.get_type_hints(type(obj))
    return all(_is(getattr(obj, f.name), hints[f.name]) for f in dataclasses.fields(obj) if f.name in hints)  # type: ignore[arg-type]


def _is(value: object, hint: Any) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is list:
        return isinstance(value, list) and all(_is(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(_is(k, args[0]) and _is(v, args[1]) for k, v in value.items())
    if origin is not None or not isinstance(hint, type):
        return True  # a Path | None and the like: not from the data
    if hint is int:
        return type(value) is int  # not bool
    return isinstance(value, hint)


def _sum(key: str, data: dict[str, Any]) -> str:
    """SHA-256 of the key and the checked data, so data that was not checked is never taken from the cache."""
    return hashlib.sha256((key + json.dumps(data, sort_keys=True)).encode()).hexdigest()


def _write(folders: list[Path], name: str, key: str, data: dict[str, Any]) -> None:
    try:
        text = json.dumps({"key": key, "data": data, "sum": _sum(key, data)})
    except (TypeError, ValueError):
        return  # a value JSON cannot hold (the schema admits none): check the file every time
    for folder in folders:
        try:
            ensure_cache_folder(folder)
            tmp = folder / f".{name}.{os.getpid()}.tmp"
            try:
                # 0600 whatever the umask: a group-writable file would be refused when read (read_cache_file)
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, folder / name)
            finally:
                tmp.unlink(missing_ok=True)
            return
        except OSError:
            continue
