"""Load and validate the YAML rulesets (the single source of rule text).

The same files reach Copier through `!include rulesets/*.yml` in copier.yml; this
module is how the Python side (CLI `rules`, lint, audit, tests) reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import UserError
from .template_source import bundled_template_root

# libyaml's safe loader when PyYAML has it (10x faster: `lint` loads the rules on every run), else the pure one
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
REQUIRED = ("id", "name", "title", "severity", "applies", "why", "claude", "examples", "lint", "audit", "source")
SEVERITIES = ("error", "warning")
ID_RE = re.compile(r"^RR\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# answers a rule may be conditioned on (computed values included)
APPLIES_KEYS = ("language", "client", "flavour", "modules", "agents", "cluster_mode", "managed_tls", "claude_hooks")
LANGUAGES = ("python", "typescript")
EXAMPLE_KINDS = ("bad", "good")
# Modules a project generates: an example's `uses` entry naming one (or one of its names, `client.get_client`)
# becomes an import of the project's own module path; anything else is an outside import.
GENERATED_MODULES = ("keys", "client", "cache", "rate_limit", "sessions", "locks", "streams", "pubsub")
# Outside imports that are third-party (grouped after the standard library, as isort/ruff do).
THIRD_PARTY = ("redis", "valkey", "upstash_redis", "httpx")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    title: str
    severity: str
    applies: Mapping[str, list[Any]]
    why: str
    claude: str
    examples: Mapping[str, Mapping[str, Mapping[str, Any]]]  # language -> bad|good -> {uses, code}
    lint: str | None
    audit: str | None
    source: str

    def applies_to(self, answers: Mapping[str, Any]) -> bool:
        """True when every condition matches (a list answer matches if any item is allowed)."""
        for key, allowed in self.applies.items():
            value = answers.get(key)
            if isinstance(value, list):
                if not any(v in allowed for v in value):
                    return False
            elif value not in allowed:
                return False
        return True

    def code(self, kind: str, language: str = "python", module_path: str = "myapp.db.redis") -> str:
        """The `bad` or `good` example as a whole source file, imports included, for a project whose
        generated modules live at `module_path` (Python: a dotted import path)."""
        return render_example(self.examples[language][kind], language, module_path)


def render_example(snippet: Mapping[str, Any], language: str, module_path: str) -> str:
    """An example's imports (from its `uses` list) and its code, as one source text.

    The same layout is produced in Jinja by templates/_includes/rules.jinja (`example`); a test keeps the two equal.
    """
    uses: list[str] = list(snippet.get("uses") or [])
    body = str(snippet["code"])
    if language != "python":
        raise ValueError(f"no import layout for language {language!r}")
    outside = [u for u in uses if u.split(".")[0] not in GENERATED_MODULES]
    stdlib = sorted(u for u in outside if u not in THIRD_PARTY)
    third = sorted(u for u in outside if u in THIRD_PARTY)
    modules = sorted(u for u in uses if u in GENERATED_MODULES)
    names: dict[str, list[str]] = {}
    for use in uses:
        module, _, name = use.partition(".")
        if name and module in GENERATED_MODULES:
            names.setdefault(module, []).append(name)
    own = [f"from {module_path} import {', '.join(modules)}"] if modules else []
    own += [f"from {module_path}.{m} import {', '.join(sorted(names[m]))}" for m in sorted(names)]
    blocks = ["\n".join(f"import {u}" for u in group) for group in (stdlib, third) if group]
    if own:
        blocks.append("\n".join(own))
    if not blocks:
        return body
    # PEP 8: two blank lines before a top-level def or class, one before other statements
    gap = "\n\n\n" if re.match(r"(def |class |async def |@)", body) else "\n\n"
    return "\n\n".join(blocks) + gap + body


def _validate_examples(examples: Any, where: str) -> list[str]:
    if not isinstance(examples, dict) or "python" not in examples:
        return [f"{where}: 'examples' must map a language ({', '.join(LANGUAGES)}; python required) to bad/good"]
    problems = []
    for language, pair in examples.items():
        if language not in LANGUAGES:
            problems.append(f"{where}: examples.{language}: unknown language (allowed: {', '.join(LANGUAGES)})")
            continue
        if not isinstance(pair, dict) or set(pair) != set(EXAMPLE_KINDS):
            problems.append(f"{where}: examples.{language} must have exactly 'bad' and 'good'")
            continue
        for kind, snippet in pair.items():
            at = f"{where}: examples.{language}.{kind}"
            if not isinstance(snippet, dict) or not set(snippet) <= {"uses", "code"}:
                problems.append(f"{at} must be a mapping with 'code' (text) and optional 'uses' (list)")
            elif not isinstance(snippet.get("code"), str) or not snippet["code"].strip():
                problems.append(f"{at}.code must be non-empty text")
            elif "uses" in snippet and (
                not isinstance(snippet["uses"], list) or not all(isinstance(u, str) and u for u in snippet["uses"])
            ):
                problems.append(f"{at}.uses must be a list of module or module.name entries")
    return problems


def validate_rule(raw: Any, where: str) -> list[str]:
    """Every problem with one raw rule entry, as readable strings."""
    if not isinstance(raw, dict):
        return [f"{where}: each rule must be a mapping"]
    rid = raw.get("id", "?")
    problems = [f"{where} {rid}: missing '{k}'" for k in REQUIRED if k not in raw]
    extra = set(raw) - set(REQUIRED)
    if extra:
        problems.append(f"{where} {rid}: unknown fields {sorted(extra)}")
    if problems:
        return problems
    if not ID_RE.match(str(raw["id"])):
        problems.append(f"{where} {rid}: id must look like RR001")
    if not NAME_RE.match(str(raw["name"])):
        problems.append(f"{where} {rid}: name must be kebab-case")
    if raw["severity"] not in SEVERITIES:
        problems.append(f"{where} {rid}: severity must be one of {SEVERITIES}")
    if not isinstance(raw["applies"], dict):
        problems.append(f"{where} {rid}: applies must be a mapping (use {{}} for always)")
    else:
        for key, values in raw["applies"].items():
            if key not in APPLIES_KEYS:
                problems.append(f"{where} {rid}: applies on unknown answer '{key}'")
            if not isinstance(values, list) or not values:
                problems.append(f"{where} {rid}: applies.{key} must be a non-empty list")
    problems += _validate_examples(raw["examples"], f"{where} {rid}")
    for text_field in ("title", "why", "claude", "source"):
        if not isinstance(raw[text_field], str) or not raw[text_field].strip():
            problems.append(f"{where} {rid}: '{text_field}' must be non-empty text")
    if isinstance(raw["claude"], str) and raw["claude"].count("\n") > 2:
        problems.append(f"{where} {rid}: 'claude' must be at most 2 lines (CLAUDE.md stays short)")
    for check_field in ("lint", "audit"):
        if raw[check_field] is not None and not isinstance(raw[check_field], str):
            problems.append(f"{where} {rid}: '{check_field}' must be a check name or null")
    return problems


def load_rules(root: Path | None = None) -> list[Rule]:
    """All rules from `<root>/rulesets/*.yml`, sorted by id; raises UserError on any schema problem."""
    root = root or bundled_template_root()
    files = sorted((root / "rulesets").glob("*.yml"))
    problems: list[str] = []
    rules: list[Rule] = []
    for path in files:
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        except yaml.YAMLError as exc:
            raise UserError(f"{path.name}: not valid YAML ({exc})") from exc
        if data is None:
            continue
        if not isinstance(data, list):
            problems.append(f"{path.name}: must be a YAML list of rules")
            continue
        for raw in data:
            found = validate_rule(raw, path.name)
            problems.extend(found)
            if not found:
                rules.append(Rule(**raw))
    ids = [r.id for r in rules]
    names = [r.name for r in rules]
    problems += [f"duplicate rule id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    problems += [f"duplicate rule name {n}" for n in sorted({n for n in names if names.count(n) > 1})]
    if problems:
        raise UserError("invalid rulesets: " + "; ".join(problems))
    return sorted(rules, key=lambda r: r.id)


def find_rule(rules: Iterable[Rule], key: str) -> Rule:
    """Look a rule up by id (RR007) or name (no-keys-command)."""
    for rule in rules:
        if key.upper() == rule.id or key == rule.name:
            return rule
    raise UserError(f"rule: unknown rule '{key}' (see `redis-rules rules` for the list)")
