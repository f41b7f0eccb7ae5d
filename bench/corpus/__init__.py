"""The labelled lint corpora (python.yml, typescript.yml): load them and check their shape.

    from corpus import load, CORPORA
    corpus = load(CORPORA["python"])          # raises CorpusError listing every problem
    for row in corpus.rows: ...

Used by bench/bench_lint.py (which fetches the pinned archives and measures the linter on them) and by
tests/test_corpus.py (which checks the files without the network). Rule ids are checked against the
rules that `redis-rules lint` has a check for (redis_rules.lint.model.CHECKS).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
CORPORA: dict[str, Path] = {"python": HERE / "python.yml", "typescript": HERE / "typescript.yml"}
# (packages, TRUE rows, TRAP rows) each corpus must hold at least (issue 13: 12 / 6 packages, 40 and 40 rows)
MINIMUM: dict[str, tuple[int, int, int]] = {"python": (12, 40, 40), "typescript": (6, 40, 40)}
VERDICTS = ("TRUE", "TRAP")
FETCHERS = {"python": "pip", "typescript": "npm"}
SOURCES = ("typescript", "javascript")  # what an npm tarball ships (typescript.yml only)
TS_SUFFIXES = (".ts", ".tsx", ".mts", ".cts")

_SHA256 = re.compile(r"[0-9a-f]{64}")
_PACKAGE_KEYS = {"name", "version", "fetch", "spec", "archive", "sha256"}
_ROW_KEYS = {"package", "path", "line", "rule", "verdict", "code", "reason"}


class CorpusError(ValueError):
    """The corpus file is unreadable or breaks the schema; the message lists every problem, one a line."""


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    fetch: str  # pip | npm
    spec: str  # what pip download / npm pack is given
    archive: str  # file name that command yields
    sha256: str  # hex digest of the archive
    source: str = "python"  # python | typescript | javascript: what the archive ships


@dataclass(frozen=True)
class Row:
    package: str
    path: str  # inside the archive, forward slashes
    line: int  # 1-based
    rule: str  # RR007
    verdict: str  # TRUE | TRAP
    code: str  # the stripped source line, for readers
    reason: str

    @property
    def ident(self) -> tuple[str, str, int, str]:
        return (self.package, self.path, self.line, self.rule)

    @property
    def typescript(self) -> bool:
        """Whether the row is in a file the TypeScript linter reads (.ts/.tsx/.mts/.cts, not .d.ts)."""
        return self.path.endswith(TS_SUFFIXES) and ".d." not in self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Corpus:
    language: str  # python | typescript
    packages: tuple[Package, ...]
    rows: tuple[Row, ...]

    def package(self, name: str) -> Package:
        for p in self.packages:
            if p.name == name:
                return p
        raise KeyError(name)

    def count(self, verdict: str, rule: str | None = None) -> int:
        return sum(1 for r in self.rows if r.verdict == verdict and (rule is None or r.rule == rule))


def lint_rule_ids() -> frozenset[str]:
    """Rule ids that `redis-rules lint` has a check for."""
    from redis_rules.lint.model import CHECKS

    return frozenset(CHECKS.values())


def _str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def problems(data: Any, rule_ids: Iterable[str]) -> list[str]:
    """Every schema problem of a parsed corpus file (empty when it is valid)."""
    known = set(rule_ids)
    if not isinstance(data, Mapping):
        return ["top level: expected a mapping with language, packages, rows"]
    out: list[str] = []
    extra = set(data) - {"language", "packages", "rows"}
    if extra:
        out.append(f"top level: unknown keys {sorted(extra)}")
    language = data.get("language")
    if language not in FETCHERS:
        out.append(f"language: {language!r}; allowed: {', '.join(FETCHERS)}")
    packages = data.get("packages")
    if not isinstance(packages, list) or not packages:
        return [*out, "packages: expected a non-empty list"]
    names: set[str] = set()
    for i, p in enumerate(packages):
        where = f"packages[{i}]"
        if not isinstance(p, Mapping):
            out.append(f"{where}: expected a mapping")
            continue
        allowed = _PACKAGE_KEYS | ({"source", "note"} if language == "typescript" else set())
        missing, unknown = _PACKAGE_KEYS - set(p), set(p) - allowed
        if missing:
            out.append(f"{where}: missing {sorted(missing)}")
        if unknown:
            out.append(f"{where}: unknown keys {sorted(unknown)}")
        for key in sorted(_PACKAGE_KEYS & set(p)):
            if not _str(p[key]):
                out.append(f"{where}.{key}: expected a non-empty string")
        name = p.get("name")
        if name in names:
            out.append(f"{where}.name: duplicate package {name!r}")
        names.add(str(name))
        if language in FETCHERS and p.get("fetch") != FETCHERS[language]:
            out.append(f"{where}.fetch: {p.get('fetch')!r}; a {language} corpus uses {FETCHERS[language]}")
        if not (isinstance(p.get("sha256"), str) and _SHA256.fullmatch(p["sha256"])):
            out.append(f"{where}.sha256: expected 64 lowercase hex digits")
        version = str(p.get("version", ""))
        if version and version not in str(p.get("spec", "")):
            out.append(f"{where}.spec: does not pin version {version}")
        archive = str(p.get("archive", ""))
        if archive and ("/" in archive or not archive.endswith((".tar.gz", ".tgz", ".zip"))):
            out.append(f"{where}.archive: expected a file name ending .tar.gz, .tgz or .zip")
        if language == "typescript" and p.get("source") not in SOURCES:
            out.append(f"{where}.source: {p.get('source')!r}; allowed: {', '.join(SOURCES)}")
    rows = data.get("rows")
    if not isinstance(rows, list) or not rows:
        return [*out, "rows: expected a non-empty list"]
    seen: set[tuple[Any, ...]] = set()
    for i, r in enumerate(rows):
        where = f"rows[{i}]"
        if not isinstance(r, Mapping):
            out.append(f"{where}: expected a mapping")
            continue
        missing, unknown = _ROW_KEYS - set(r), set(r) - _ROW_KEYS
        if missing:
            out.append(f"{where}: missing {sorted(missing)}")
        if unknown:
            out.append(f"{where}: unknown keys {sorted(unknown)}")
        if r.get("package") not in names:
            out.append(f"{where}.package: {r.get('package')!r} is not in packages")
        path = r.get("path")
        if not _str(path) or str(path).startswith("/") or ".." in str(path).split("/") or "\\" in str(path):
            out.append(f"{where}.path: expected a relative path inside the archive, forward slashes")
        line = r.get("line")
        if not isinstance(line, int) or isinstance(line, bool) or line < 1:
            out.append(f"{where}.line: expected an integer >= 1")
        if r.get("rule") not in known:
            out.append(f"{where}.rule: {r.get('rule')!r} has no lint check; allowed: {', '.join(sorted(known))}")
        if r.get("verdict") not in VERDICTS:
            out.append(f"{where}.verdict: {r.get('verdict')!r}; allowed: TRUE, TRAP")
        for key in ("reason", "code"):
            if not _str(r.get(key)):
                out.append(f"{where}.{key}: expected a non-empty string")
        ident = (r.get("package"), path, line, r.get("rule"))
        if ident in seen:
            out.append(f"{where}: duplicate of an earlier row (same package, path, line and rule)")
        seen.add(ident)
    return out


def load(path: Path, rule_ids: Iterable[str] | None = None) -> Corpus:
    """Read and validate one corpus file. Raises CorpusError (all problems, one a line)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CorpusError(f"{path}: {exc}") from exc
    found = problems(data, lint_rule_ids() if rule_ids is None else rule_ids)
    if found:
        raise CorpusError("\n".join(f"{path.name}: {p}" for p in found))
    language = data["language"]
    packages = tuple(
        Package(
            name=p["name"],
            version=p["version"],
            fetch=p["fetch"],
            spec=p["spec"],
            archive=p["archive"],
            sha256=p["sha256"],
            source=p.get("source", language),
        )
        for p in data["packages"]
    )
    rows = tuple(
        Row(r["package"], r["path"], r["line"], r["rule"], r["verdict"], r["code"], r["reason"]) for r in data["rows"]
    )
    return Corpus(language, packages, rows)
