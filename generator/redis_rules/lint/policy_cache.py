"""The policy of a lint run, with its schema check remembered.

Reading `.redis-rules.yml` means YAML and a JSON-schema check (jsonschema): ~100 ms of imports and schema
compilation, more than the rest of a one-file lint (the Claude hook, pre-commit). The data a check accepted is
kept in the project's lint cache (`.redis-rules-cache/policy-*.json`, see index.cache_folders) under a key of
the file's size and mtime, the schema's bytes and the lint code's version: an edited policy file, schema or
redis-rules is checked again. A cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..policy import Policy, check_policy_data, policy_file_above, policy_from_data
from .index import cache_folders, code_fingerprint, ensure_cache_folder

FORMAT = 2  # bump when what is stored changes


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
    if key is not None:
        for folder in folders:
            data = _read(folder / name, key)
            if data is not None:
                return policy_from_data(data, path)
    from .. import safe_yaml
    from .engine import policy_selectors

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
    try:
        stored = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key or not isinstance(stored.get("data"), dict):
        return None
    if stored.get("sum") != _sum(key, stored["data"]):  # edited by hand: the data skipped the schema check
        return None
    return stored["data"]


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
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, folder / name)
            finally:
                tmp.unlink(missing_ok=True)
            return
        except OSError:
            continue
