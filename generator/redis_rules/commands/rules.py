"""`redis-rules rules [RULE]`: list the rules, or explain one (like `ruff rule`).

The text comes from rulesets/*.yml through redis_rules.rulesets.load_rules(), the same
files Copier renders into CLAUDE.md, so what this prints is what the assistant reads.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from ..answers_file import ANSWERS_FILE
from ..audit.checks import REGISTRY as AUDIT_CHECKS
from ..lint.model import REGISTRY as LINT_CHECKS
from ..rulesets import LANGUAGES, Rule, find_rule, load_rules, rule_text

FORMATS = ("text", "json")
WRAP = 100
NONE = "-"


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "rules",
        help="list the rules, or explain one (e.g. `redis-rules rules RR007`)",
        description=(
            "Without RULE: a table of every rule. With RULE (an id like RR007 or a name like "
            "no-keys-command): why it matters, the mistake, the fix, which checks enforce it, "
            "the CLAUDE.md line and the source. The examples import the generated modules from "
            "myapp.db.redis (Python) or @/db/redis (TypeScript)."
        ),
    )
    parser.add_argument(
        "rule", nargs="?", metavar="RULE", help="rule id (RR007), rule name (no-keys-command) or check name"
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument(
        "--language",
        choices=LANGUAGES,
        default=None,
        help="language of the text and examples when explaining a rule (default: the language of the redis-rules "
        "project in or above the current folder, else python; JSON has both)",
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    rules = load_rules()
    fmt = getattr(args, "format", "text")
    if args.rule is not None:  # `rules ""` (an unset "$RULE") is an unknown rule, not the table
        rule = lookup(rules, args.rule)
        project = find_project(Path.cwd())
        language = getattr(args, "language", None) or project.language
        if language != project.language:
            project = Project(language)  # the other language's page: its default import path
        print(json.dumps(rule_to_dict(rule), indent=2) if fmt == "json" else explain(rule, language, project))
    else:
        print(json.dumps([rule_to_dict(r) for r in rules], indent=2) if fmt == "json" else table(rules))
    return 0


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """The rule's fields as plain JSON-able data, in schema order."""
    data = asdict(rule)
    data["applies"] = {key: list(values) for key, values in rule.applies.items()}
    return data


def applies_text(rule: Rule) -> str:
    if not rule.applies:
        return "always"
    parts = []
    for key, values in rule.applies.items():
        shown = ", ".join(json.dumps(v) if isinstance(v, bool) else str(v) for v in values)
        parts.append(f"{key}: {shown}")
    return "; ".join(parts)


@dataclass(frozen=True)
class Project:
    """What a rule page takes from the redis-rules project it is asked in (its recorded answers)."""

    language: str = "python"
    module_path: str | None = None  # where the examples import the generated modules from, in `language`
    ttl_classes: tuple[str, ...] | None = None  # the project's TTL class names, as its answers spell them


def find_project(start: Path) -> Project:
    """The redis-rules project holding `start` (its .copier-answers.yml, in `start` or a parent folder); the
    defaults (Python, myapp.db.redis) when there is none or its answers cannot be read."""
    for folder in (start, *start.parents):
        answers = folder / ANSWERS_FILE
        if not answers.is_file():
            continue
        try:
            data = yaml.safe_load(answers.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return Project()
        if not isinstance(data, dict) or data.get("language", "python") not in LANGUAGES:
            return Project()
        language = str(data.get("language", "python"))
        folder_path = data.get("module_path")
        module_path = None
        if isinstance(folder_path, str) and folder_path:
            if language == "python":
                module_path = folder_path.replace("/", ".")
            else:  # as the rule files import it (agents.jinja's ts_import)
                module_path = "@/" + folder_path[4:] if folder_path.startswith("src/") else folder_path
        classes = data.get("ttl_classes")
        ttl = tuple(str(name) for name in classes) if isinstance(classes, dict) and classes else None
        return Project(language, module_path, ttl)
    return Project()


def checked_by(rule: Rule, language: str | None = None) -> list[str]:
    """One line per lint / audit check enforcing the rule, from the check registries; with `language`, a lint
    check that does not read that language's code says which languages it reads."""
    checks = []
    for c in LINT_CHECKS:
        if c.rule == rule.id:
            only = "" if language is None or language in c.languages else f" (reads {', '.join(c.languages)} code only)"
            checks.append(f"lint: {c.name}  (redis-rules lint): {c.summary}{only}")
    checks += [f"audit: {c.name}  (redis-rules audit): {c.summary}" for c in AUDIT_CHECKS if c.rule == rule.id]
    return checks or ["review only (no automatic check)"]


def lookup(rules: Sequence[Rule], key: str) -> Rule:
    """A rule by id (RR007), rule name (no-keys-command) or the name of a check enforcing it (keys-command)."""
    for registry in (LINT_CHECKS, AUDIT_CHECKS):
        for check in registry:
            if key == check.name:
                return find_rule(rules, check.rule)
    return find_rule(rules, key)


def table(rules: Sequence[Rule]) -> str:
    """One row per rule: id, severity, name, lint check, audit check, title."""
    header = ("ID", "SEVERITY", "NAME", "LINT", "AUDIT", "TITLE")
    lint = {c.rule: c.name for c in LINT_CHECKS}
    audit: dict[str, list[str]] = {}
    for c in AUDIT_CHECKS:
        audit.setdefault(c.rule, []).append(c.name)
    rows = [header] + [
        (r.id, r.severity, r.name, lint.get(r.id, NONE), ",".join(audit.get(r.id, [])) or NONE, r.title) for r in rules
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    lines.append("")
    lines.append(f"{len(rules)} rules. Explain one with `redis-rules rules RR001` (or by name).")
    return "\n".join(lines)


def _wrap(text: str) -> str:
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    return "\n\n".join(textwrap.fill(p, WRAP) for p in paragraphs)


def _code(source: str, language: str) -> str:
    return f"```{language}\n" + source.rstrip() + "\n```"


def explain(rule: Rule, language: str = "python", project: Project | None = None) -> str:
    """The rule as a short page: header, title, severity, why, bad, good (in `language`, one of
    LANGUAGES; importing from `project`'s module path, naming its TTL classes), checks, CLAUDE.md line,
    source."""
    where = project or Project(language)
    sections = [
        f"{rule.id} ({rule.name})",
        rule.title,
        f"Severity: {rule.severity}\nApplies: {applies_text(rule)}",
        "## Why\n" + _wrap(rule_text(rule.why.strip().replace("\n", " "), language, where.ttl_classes)),
        "## Instead of\n" + _code(rule.code("bad", language, where.module_path, where.ttl_classes), language),
        "## Do\n" + _code(rule.code("good", language, where.module_path, where.ttl_classes), language),
        "## Checked by\n" + "\n".join(checked_by(rule, language)),
        "## CLAUDE.md line\n" + rule_text(rule.claude.strip().replace("\n", " "), language, where.ttl_classes),
        "## Source\n" + rule.source.strip(),
    ]
    return "\n\n".join(sections)
