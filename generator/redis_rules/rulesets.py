"""Load and validate the YAML rulesets (the single source of rule text).

The same files reach Copier through `!include rulesets/*.yml` in copier.yml; this
module is how the Python side (CLI `rules`, lint, audit, tests) reads them.

Examples: every rule has `examples.<language>.bad|good = {uses: [...], code: ...}` for each of
LANGUAGES. `code` is the snippet without imports; `uses` lists what it imports, and
`render_example` turns that list into the import lines of a project whose generated modules
live at `module_path`:

- Python (`module_path` a dotted import path, default `myapp.db.redis`): `keys` (a generated
  module) -> `from myapp.db.redis import keys`; `client.get_client` (a name from a generated
  module) -> `from myapp.db.redis.client import get_client`; anything else is a module of the
  standard library or, if listed in THIRD_PARTY, a package: `json` -> `import json`. Groups:
  standard library, third party, the project's own; then the code after one blank line (two
  before a top-level def or class, as PEP 8 asks).
- TypeScript (`module_path` the import specifier of the generated folder, default `@/db/redis`:
  the `@/*` -> `src/*` path alias of Next.js and most TypeScript starters; a relative `./db/redis`
  works the same). Generated modules are named by the identifier the snippet binds them to
  (TS_MODULES maps it to the kebab-case file): `keys` -> `import * as keys from "@/db/redis/keys";`,
  `rateLimit` -> `import * as rateLimit from "@/db/redis/rate-limit";`; a name from one is
  `module.name`: `keys.TTL` -> `import { TTL } from "@/db/redis/keys";` and `index.getClient` (the
  folder's index.ts) -> `import { getClient } from "@/db/redis";`. Packages are written by their
  npm specifier: a client package alone imports its documented binding (TS_PACKAGES:
  `ioredis` -> `import Redis from "ioredis";`, `@upstash/redis` -> `import { Redis } from
  "@upstash/redis";`, `redis` -> `import { createClient } from "redis";`), and `<specifier>#<name>`
  imports one name (`node:util#parseArgs` -> `import { parseArgs } from "node:util";`; `#`
  because specifiers may contain dots). Groups: `node:` built-ins, packages, the project's
  own (each sorted by specifier, names sorted, a namespace import before named imports of the
  same file), separated by one blank line, then one blank line and the code. Specifiers carry
  no file extension (bundler or `paths` resolution).

TTL classes: rule text and examples name them as the default answers do (`TTL.cache_short`; TypeScript
examples `TTL.cacheShort`), and a project's files name its own: `ttl_names` (and the Jinja macro `ttl` of
templates/_includes/agents.jinja) keep a class the project defines, spelled as its keys.TTL spells it, and put
the project's first class in place of one it lacks. So a `claude` line names at most one class.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import template_source
from .errors import UserError, one_line

# libyaml's safe loader when PyYAML has it (10x faster: `lint` loads the rules on every run), else the pure one
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
REQUIRED = ("id", "name", "title", "severity", "applies", "why", "claude", "examples", "lint", "audit", "source")
SEVERITIES = ("error", "warning")
ID_RE = re.compile(r"^RR\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# answers a rule may be conditioned on (computed values included)
APPLIES_KEYS = (
    "language",
    "client",
    "flavour",
    "modules",
    "agents",
    "cluster_mode",
    "managed_tls",
    "claude_hooks",
    "edge",
)
LANGUAGES = ("python", "typescript")
EXAMPLE_KINDS = ("bad", "good")
# Modules a project generates: an example's `uses` entry naming one (or one of its names, `client.get_client`)
# becomes an import of the project's own module path; anything else is an outside import.
GENERATED_MODULES = ("keys", "client", "cache", "rate_limit", "sessions", "locks", "streams", "pubsub")
# Outside imports that are third-party (grouped after the standard library, as isort/ruff do).
THIRD_PARTY = ("redis", "valkey", "upstash_redis", "httpx")
# TypeScript: a generated module by the identifier a snippet binds it to -> its file under module_path
# ("" = the folder's index.ts, which is imported by name only: `index.getClient`).
TS_MODULES = {
    "index": "",
    "keys": "keys",
    "cache": "cache",
    "rateLimit": "rate-limit",
    "sessions": "sessions",
    "locks": "locks",
    "streams": "streams",
    "pubsub": "pubsub",
}
# Python module names whose TypeScript binding differs (a common slip when porting an example).
_TS_SPELLING = {"rate_limit": "rateLimit", "client": "index"}
# TypeScript packages a snippet may import without naming a binding: the binding their docs use.
TS_PACKAGES = {"ioredis": "Redis", "@upstash/redis": "{ Redis }", "redis": "{ createClient }"}
# Where each language's examples import the generated modules from unless told otherwise.
DEFAULT_MODULE_PATHS = {"python": "myapp.db.redis", "typescript": "@/db/redis"}
_IDENT = re.compile(r"^[A-Za-z_$][\w$]*$")
_PY_USE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
# an npm package specifier (scoped or not, optional subpath) or a Node built-in (`node:fs/promises`)
_NPM_SPEC = re.compile(r"^(node:[a-z_]+(/[a-z_]+)*|(@[a-z0-9~-][a-z0-9._~-]*/)?[a-z0-9~-][a-z0-9._~-]*(/[\w.-]+)*)$")


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

    def code(
        self,
        kind: str,
        language: str = "python",
        module_path: str | None = None,
        ttl_classes: Iterable[str] | None = None,
    ) -> str:
        """The `bad` or `good` example as a whole source file, imports included, for a project whose
        generated modules live at `module_path` (Python: a dotted import path; TypeScript: an import
        specifier); default DEFAULT_MODULE_PATHS[language]. With `ttl_classes` (the project's class names, as
        the answers spell them) the TTL classes it names are the project's (`ttl_names`); without, the
        default answers'. Raises KeyError for a language or kind the rule has no example for."""
        text = render_example(self.examples[language][kind], language, module_path or DEFAULT_MODULE_PATHS[language])
        return text if ttl_classes is None else ttl_names(text, ttl_spelling(ttl_classes, language))


def ttl_spelling(classes: Iterable[str], language: str) -> dict[str, str]:
    """Each TTL class (as the answers name it) -> its name in the generated keys.TTL: the same in Python;
    camelCase in TypeScript (cache_short -> cacheShort), or the answers' names when two would collide (as
    templates/_includes/typescript.jinja's ttl_names)."""
    names = list(classes)
    if language != "typescript":
        return {name: name for name in names}
    camel: dict[str, str] = {}
    clash = False
    for name in names:
        head, *rest = name.split("_")
        spelled = head + "".join(part.capitalize() for part in rest)
        if not spelled or spelled in camel.values() or (spelled == "default" and name != "default"):
            clash = True
        camel[name] = spelled
    return {name: name for name in names} if clash else camel


_TTL_REF = re.compile(r"TTL\.([A-Za-z0-9_]*)")


def rule_text(text: str, language: str, ttl_classes: Iterable[str] | None = None) -> str:
    """Rule text (a `claude` line or `why`, written for Python) as a project in `language` reads it: for
    TypeScript, the generated modules' TypeScript names (templates/_includes/typescript.jinja's `words`, the
    macro the rule files are rendered with); the TTL classes it names are `ttl_classes` (the project's, as
    its answers spell them; `ttl_names`), else the text's own, spelled for `language`."""
    if language == "typescript":
        text = _typescript_words().words(text)
    classes = list(ttl_classes) if ttl_classes else list(dict.fromkeys(_TTL_REF.findall(text)))
    return ttl_names(text, ttl_spelling(classes, language)) if classes else text


@functools.cache
def _typescript_words() -> Any:
    import jinja2

    root = template_source.bundled_template_root()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(root)), undefined=jinja2.StrictUndefined)
    return env.get_template("templates/_includes/typescript.jinja").make_module({"ttl_classes": {}})


def ttl_names(text: str, spelling: Mapping[str, str]) -> str:
    """Rule text or an example (written for the default answers' TTL classes) naming only a project's classes.

    `spelling`: the project's classes, answer name -> name in keys.TTL (`ttl_spelling`), in the answers'
    order. Each `TTL.<name>` keys.TTL defines (or `TTL.default`, always defined) stays; an answer name is
    spelled as keys.TTL spells it (cache_short -> cacheShort in TypeScript); any other name becomes the
    project's first class. The Jinja macro `ttl` of templates/_includes/agents.jinja does the same.
    """
    defined = set(spelling.values()) | {"default"}
    stand_in = next(iter(spelling.values()))

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if not name or name in defined:
            return match.group(0)
        return "TTL." + spelling.get(name, stand_in)

    return _TTL_REF.sub(one, text)


def render_example(snippet: Mapping[str, Any], language: str, module_path: str) -> str:
    """An example's imports (from its `uses` list) and its code, as one source text (layouts: module docstring).

    Raises ValueError for a language without a layout or a TypeScript entry that cannot be imported.
    The Python layout is produced in Jinja too, by templates/_includes/agents.jinja (`example`); a test keeps
    the two equal. A Jinja TypeScript counterpart must follow this one (names sort case-sensitively).
    """
    uses: list[str] = list(snippet.get("uses") or [])
    body = str(snippet["code"])
    if language == "typescript":
        return _render_typescript(uses, body, module_path)
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


def typescript_use_problem(use: str) -> str | None:
    """Why one TypeScript `uses` entry cannot be rendered as an import, or None when it can."""
    module, dot, name = use.partition(".")
    if module in TS_MODULES:
        if not dot:
            return None if TS_MODULES[module] else "index is imported by name only (index.getClient)"
        return None if _IDENT.match(name) else f"{name!r} is not an identifier"
    if module in _TS_SPELLING:
        return f"the TypeScript module is {_TS_SPELLING[module]} ({', '.join(TS_MODULES)})"
    spec, hash_, name = use.partition("#")
    if not _NPM_SPEC.match(spec):
        return "neither a generated module (" + ", ".join(TS_MODULES) + ") nor a package specifier"
    if hash_:
        return None if _IDENT.match(name) else f"{name!r} is not an identifier"
    if spec not in TS_PACKAGES:
        return f"name the binding to import: {spec}#<name> (bare: {', '.join(TS_PACKAGES)})"
    return None


def _render_typescript(uses: list[str], body: str, module_path: str) -> str:
    """TypeScript layout (see the module docstring): built-ins, packages, own modules, then the code."""
    base = module_path.rstrip("/")
    namespaces: dict[str, str] = {}  # specifier -> namespace identifier
    named: dict[str, list[str]] = {}  # specifier -> imported names
    defaults: dict[str, str] = {}  # specifier -> binding text of a bare package
    own: set[str] = set()
    for use in uses:
        problem = typescript_use_problem(use)
        if problem:
            raise ValueError(f"typescript uses entry {use!r}: {problem}")
        module, dot, name = use.partition(".")
        if module in TS_MODULES:
            spec = f"{base}/{TS_MODULES[module]}" if TS_MODULES[module] else base
            own.add(spec)
            if dot:
                named.setdefault(spec, []).append(name)
            else:
                namespaces[spec] = module
            continue
        spec, _, name = use.partition("#")
        if name:
            named.setdefault(spec, []).append(name)
        else:
            defaults[spec] = TS_PACKAGES[spec]

    def lines(spec: str) -> list[str]:
        out = []
        if spec in defaults:
            out.append(f'import {defaults[spec]} from "{spec}";')
        if spec in namespaces:
            out.append(f'import * as {namespaces[spec]} from "{spec}";')
        if spec in named:
            out.append(f'import {{ {", ".join(sorted(set(named[spec])))} }} from "{spec}";')
        return out

    specs = set(namespaces) | set(named) | set(defaults)
    builtin = sorted(s for s in specs if s.startswith("node:"))
    packages = sorted(s for s in specs if s not in own and not s.startswith("node:"))
    groups = [builtin, packages, sorted(own)]
    blocks = ["\n".join(line for spec in group for line in lines(spec)) for group in groups if group]
    return "\n\n".join(blocks) + "\n\n" + body if blocks else body


def _use_problem(language: str, use: str) -> str | None:
    if language == "typescript":
        return typescript_use_problem(use)
    return None if _PY_USE.match(use) else "not a module or module.name"


def _validate_examples(examples: Any, where: str) -> list[str]:
    """Every rule has a bad and a good example in each of LANGUAGES; `uses` entries must render as imports."""
    if not isinstance(examples, dict) or not set(LANGUAGES) <= set(examples):
        return [f"{where}: 'examples' must map each language ({', '.join(LANGUAGES)}) to bad/good"]
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
                problems.append(f"{at}.uses must be a list of import entries (module, module.name or a package)")
            else:
                for use in snippet.get("uses") or []:
                    problem = _use_problem(language, use)
                    if problem:
                        problems.append(f"{at}.uses: {use!r}: {problem}")
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
    root = root or template_source.bundled_template_root()
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
    raise UserError(f"rule: unknown rule '{one_line(key, 80)}' (see `redis-rules rules` for the list)")
