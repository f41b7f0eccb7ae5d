"""`update`'s "still imported by" note (updating/importers.py) reads imports with lint's readers: these tests fail
when the two drift apart (a relative import resolved differently, a TypeScript import form read by one only)."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

from redis_rules.lint.index import python_module_name
from redis_rules.lint.receivers import ModuleInfo
from redis_rules.lint.typescript import TsModule, module_specifiers, parse
from redis_rules.policy import Policy
from redis_rules.updating.importers import importers_of


def _repo(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)


@pytest.mark.parametrize(
    ("rel", "text", "dotted", "deleted"),
    [
        ("app/api/views.py", "from ..db.redis import get\n", "app.db.redis", "app/db/redis.py"),
        ("app/api/__init__.py", "from .jobs import run\n", "app.api.jobs", "app/api/jobs.py"),
        ("app/api/v1/views.py", "from ...cache import get\n", "app.cache", "app/cache.py"),
        ("app/api/views.py", "from .. import cache\n", "app", "app/cache.py"),  # a module imported by name
        ("src/app/api/views.py", "from ..db import redis\n", "app.db", "src/app/db.py"),  # src/ layout
    ],
)
def test_relative_python_imports_resolve_as_lint_resolves_them(
    tmp_path: Path, rel: str, text: str, dotted: str, deleted: str
) -> None:
    files = {rel: text, deleted: ""}
    for path in (rel, deleted):  # packages (src/ is none), so lint names the modules in full
        folders = path.split("/")[:-1]
        for i in range(1, len(folders) + 1):
            if folders[:i] != ["src"]:
                files.setdefault("/".join([*folders[:i], "__init__.py"]), "")
    modname, is_package = python_module_name(rel, set(files))
    lint = ModuleInfo(ast.parse(text), rel, modname=modname, is_package=is_package)
    assert lint.imports[0] == dotted  # how lint resolves the import
    _repo(tmp_path, files)
    assert importers_of(tmp_path, [deleted]) == {deleted: [rel]}  # and update finds the importer by it


TS_FORMS = (
    'import a from "./m1";\n'
    'import "./m2";\n'
    'export * from "./m3";\n'
    'export { y } from "./m4.js";\n'
    'import x = require("./m5");\n'
    'const r = require("./m6");\n'
    "// import q from './m9' (a comment)\n"
)
TS_CALLS = 'export async function f() {\n  const m = await import("./m7");\n  return require("./m8").default;\n}\n'


def test_typescript_imports_are_read_as_lint_reads_them(tmp_path: Path) -> None:
    rel = "src/routes/a.ts"
    source = TS_FORMS + TS_CALLS
    lint = TsModule(parse(source.encode(), rel), rel, Policy(), None, source)
    bound = [spec for _, spec, _ in lint.import_nodes]  # what lint binds names from (module-level statements)
    assert bound == ["./m1", "./m2", "./m3", "./m4.js", "./m5", "./m6"]
    assert module_specifiers(source, rel) == [*bound, "./m7", "./m8"]  # plus the calls anywhere
    files = {f"src/routes/m{i}.ts": "export const v = 1;\n" for i in range(1, 10)}
    _repo(tmp_path, {rel: source, **files})
    found = importers_of(tmp_path, sorted(files))
    assert found == {f"src/routes/m{i}.ts": [rel] for i in range(1, 9)}  # not m9, named in a comment only


@pytest.mark.parametrize("head", ['import Store from "ioredis";', 'const Store = require("ioredis");'])
def test_lint_reads_import_equals_require_as_the_other_forms(head: str) -> None:
    """`import Store = require("ioredis")` (read by module_specifier) binds Store as the other forms do."""
    from redis_rules.lint import lint_source

    body = "\nexport async function get(k: string) {\n  const c = new Store();\n  return c.get(k);\n}\n"
    found = [(f.line, f.code) for f in lint_source('import Store = require("ioredis");' + body, "src/app.ts")]
    assert found == [(f.line, f.code) for f in lint_source(head + body, "src/app.ts")] == [(3, "RR009")]
