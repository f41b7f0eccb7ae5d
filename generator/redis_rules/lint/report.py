"""Output formats: text (like ruff), JSON and SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .model import BAD_SUPPRESSION, ERROR_CODES, REGISTRY, Finding, rules_by_id, severity_of

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _information_uri() -> str:
    """The project's homepage from the installed metadata; the PyPI page of the distribution otherwise (read
    when a SARIF log is written: importlib.metadata is slow to import)."""
    try:
        from importlib.metadata import metadata

        meta = metadata("redis-rules")
        for entry in meta.get_all("Project-URL") or []:
            url = entry.split(",", 1)[-1].strip()
            if url.startswith("https://"):
                return url
        home = meta["Home-page"] if "Home-page" in meta else None
        if home and home.startswith("https://"):
            return str(home)
    except Exception:  # noqa: BLE001 - not installed, or odd metadata
        pass
    return "https://pypi.org/project/redis-rules/"


_LEVEL = {"error": "error", "warning": "warning"}


def format_text(findings: Sequence[Finding]) -> tuple[str, str]:
    """(stdout, summary line). One `path:line:col: CODE message` line per finding."""
    lines = [f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}" for f in findings]
    if not findings:
        return "", "All checks passed."
    files = len({f.path for f in findings})
    noun = "finding" if len(findings) == 1 else "findings"
    plural = "s" if files != 1 else ""
    return "\n".join(lines) + "\n", f"Found {len(findings)} {noun} in {files} file{plural}."


def format_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.to_dict() for f in findings], indent=2) + "\n"


_UNCHECKED = ("The file could not be checked", "The file could not be read or parsed, so no check ran on it.")
_PSEUDO_TEXT = {
    BAD_SUPPRESSION: (
        "A suppression comment names no rule",
        "A redis-rules: ignore[...] comment lists a code that is no rule id, rule name or check name, or lists "
        "none: it suppresses nothing.",
    )
}


def sarif_rules() -> list[dict[str, Any]]:
    """`tool.driver.rules`: one entry per check of the registry (text from its rule), then E999/E902/E903."""
    rules = rules_by_id()
    out: list[dict[str, Any]] = []
    for check in sorted(REGISTRY, key=lambda c: c.rule):
        rule = rules[check.rule]
        entry: dict[str, Any] = {
            "id": check.rule,
            "name": rule.name,
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": " ".join(rule.why.split())},
            "defaultConfiguration": {"level": _LEVEL.get(severity_of(check.rule), "warning")},
            "properties": {"check": check.name, "summary": check.summary},
        }
        source = str(rule.source).strip()
        if source.startswith(("http://", "https://")):
            entry["helpUri"] = source.split()[0]
        out.append(entry)
    for code, name in ERROR_CODES.items():
        short, full = _PSEUDO_TEXT.get(code, _UNCHECKED)
        out.append(
            {
                "id": code,
                "name": name,
                "shortDescription": {"text": short},
                "fullDescription": {"text": full},
                "defaultConfiguration": {"level": "error"},
            }
        )
    return out


def _uri(path: str) -> str:
    path = path.replace("\\", "/")
    if path.startswith("/"):
        return "file://" + path
    return path


def format_sarif(findings: Sequence[Finding]) -> str:
    rules = sarif_rules()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.code,
            "level": _LEVEL.get(f.severity, "warning"),
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.extra.get("uri") or _uri(f.path)},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                        },
                    }
                }
            ],
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        properties: dict[str, Any] = {"check": f.check}
        if f.evidence:
            properties["evidence"] = f.evidence
            properties["reason"] = f.reason
        result["properties"] = properties
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "redis-rules",
                        "version": _version(),
                        "informationUri": _information_uri(),
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _version() -> str:
    from .. import __version__

    return __version__
