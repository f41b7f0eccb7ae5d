"""What a changed `client` answer asks of the team's own files, which the update never rewrites.

The dependency files (`pyproject.toml`, `package.json`) are Copier starters (`_skip_if_exists`): rendered once,
the team's from then on, so a new client's library is not added to them. And a Python client that is async where
the old one was sync (or the reverse) changes every module function from awaited to plain: the team's callers
break (trial 18: `--set client=valkey-py` on a redis-py-async project exited 0 without a word, and the app's
`await check_rate_limit(...)` then raised TypeError).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from ..questions import Question

DEPENDENCY_FILES = {"python": "pyproject.toml", "typescript": "package.json"}


def _profiles(questions: list[Question]) -> dict[tuple[str, str], dict[str, Any]]:
    found = next((q.default for q in questions if q.name == "client_profiles"), None)
    if not isinstance(found, list):
        return {}
    return {(str(p.get("language")), str(p.get("name"))): p for p in found if isinstance(p, dict)}


def _package(requirement: str, language: str) -> str | None:
    """The package a profile's requirement line names: `valkey` for `valkey>=6.0`, `ioredis` for
    `"ioredis": "^6.0.0"`."""
    pattern = r'"([^"]+)"' if language == "typescript" else r"([A-Za-z0-9][A-Za-z0-9._-]*)"
    match = re.match(pattern, requirement.strip())
    return match.group(1) if match else None


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503: case-insensitive, runs of -_. equal


def _declared(text: str, language: str, runtime: bool) -> set[str] | None:
    """The packages the dependency file declares where they count: what the application runs with for a
    runtime requirement (`[project] dependencies`, package.json `dependencies`), anywhere it lists packages
    for a test requirement (optional dependencies and dependency groups, `devDependencies`). None when the
    file cannot be read as TOML or JSON."""
    if language == "typescript":
        try:
            data = json.loads(text)
        except ValueError:
            return None
        sections = ["dependencies"] + ([] if runtime else ["devDependencies", "optionalDependencies"])
        found: set[str] = set()
        for section in sections:
            value = data.get(section) if isinstance(data, dict) else None
            if isinstance(value, dict):
                found.update(str(name) for name in value)
        return found
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    project: dict[str, Any] = data["project"] if isinstance(data.get("project"), dict) else {}
    lists = [project.get("dependencies")]
    if not runtime:
        for table in (project.get("optional-dependencies"), data.get("dependency-groups")):
            if isinstance(table, dict):
                lists += list(table.values())
    names: set[str] = set()
    for entries in lists:
        for entry in entries if isinstance(entries, list) else []:
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", entry) if isinstance(entry, str) else None
            if match:
                names.add(_normal(match.group(1)))
    return names


def _listed(text: str, package: str, language: str, runtime: bool = True) -> bool:
    declared = _declared(text, language, runtime)
    if declared is not None:
        return (package if language == "typescript" else _normal(package)) in declared
    # a file that does not parse: any mention counts (the note would only repeat what the parser says)
    if language == "typescript":
        return re.search(rf'"{re.escape(package)}"\s*:', text) is not None
    name = r"[-_.]+".join(re.escape(part) for part in re.split(r"[-_.]+", package))
    return re.search(rf"[\"']{name}\s*(?:\[|[<>=!~;@\"'])", text, re.IGNORECASE) is not None


def client_change_notes(
    questions: list[Question], recorded: dict[str, Any], data: dict[str, Any], dest: Path
) -> list[str]:
    """One line per thing the team must do after `client` changed from `recorded` to `data` (--set); none when
    it did not change."""
    old, new = recorded.get("client"), data.get("client")
    if new is None or new == old:
        return []
    language = str(recorded.get("language") or "python")
    profiles = _profiles(questions)
    before, after = profiles.get((language, str(old))), profiles.get((language, str(new)))
    if after is None:
        return []
    notes = []
    file = DEPENDENCY_FILES.get(language)
    path = dest / file if file else None
    text = path.read_text(encoding="utf-8", errors="replace") if path is not None and path.is_file() else None
    for field in ("requirement", "test_requirement"):
        requirement = after.get(field)
        package = _package(str(requirement), language) if requirement else None
        if package and text is not None and not _listed(text, package, language, runtime=field == "requirement"):
            where = "its dependencies" if field == "requirement" else "it"
            notes.append(
                f"{file} does not list {package} in {where} (the update never rewrites it): add {requirement}"
                + (" for the generated tests" if field == "test_requirement" else "")
            )
    if before is not None and language == "python" and bool(before.get("async")) != bool(after.get("async")):
        if after.get("async"):
            notes.append(f"{new} is asyncio: every function of the modules is now a coroutine; await them in your code")
        else:
            notes.append(f"{new} is synchronous: the modules' functions are no longer awaited; drop `await` for them")
    return notes
