"""compile_cache: Copier renders in one process share compiled templates, and share nothing that differs.

Copier is run for real (a tiny template in a git repo); the environment class is checked directly for what
must not be shared (other delimiters, another filter) and for tracebacks that name this render's file.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import copier
import jinja2
import pytest
from jinja2.sandbox import SandboxedEnvironment

from redis_rules import compile_cache
from tests.conftest import git


def _template(root: Path) -> Path:
    (root / "{{ name }}").mkdir(parents=True)
    (root / "copier.yml").write_text("name:\n  type: str\n  default: svc\n_templates_suffix: .jinja\n")
    (root / "{{ name }}" / "main.py.jinja").write_text("NAME = {{ name | to_json }}\n{% include 'part.txt' %}\n")
    (root / "part.txt").write_text("# {{ name | upper }}\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "t")
    return root


def test_renders_share_compiled_code_and_give_the_same_files(tmp_path: Path) -> None:
    src = _template(tmp_path / "tpl")
    compile_cache._CODE.clear()
    copiers_own = copier._main.SandboxedEnvironment
    outputs = []
    for i, name in enumerate(["alpha", "beta", "alpha"]):
        dest = tmp_path / f"out{i}"
        with compile_cache.compiled_once(), contextlib.redirect_stderr(io.StringIO()):
            copier.run_copy(str(src), str(dest), data={"name": name}, defaults=True, quiet=True)
        outputs.append((dest / name / "main.py").read_text())
        if i == 0:
            first = len(compile_cache._CODE)
            assert first >= 3  # the file, its include, its path
    assert len(compile_cache._CODE) == first  # later renders compiled nothing new
    assert [o.rstrip() for o in outputs] == [
        'NAME = "alpha"\n# ALPHA',
        'NAME = "beta"\n# BETA',
        'NAME = "alpha"\n# ALPHA',
    ]
    assert copier._main.SandboxedEnvironment is copiers_own  # put back after each block


def test_settings_that_change_the_compiled_code_are_not_shared() -> None:
    compile_cache._CODE.clear()
    caching = compile_cache._caching(SandboxedEnvironment)
    plain = caching()
    assert plain.from_string("{{ 1 + 1 }}<% x %>").render() == "2<% x %>"
    other = caching(variable_start_string="<%", variable_end_string="%>")
    assert other.from_string("{{ 1 + 1 }}<% x %>").render(x=7) == "{{ 1 + 1 }}7"

    @jinja2.pass_context
    def who(context: object, value: str) -> str:
        return f"{value}:ctx"

    a, b = caching(), caching()
    a.filters["who"] = lambda value: f"{value}:plain"
    b.filters["who"] = who  # same name, but it takes the context: other generated code
    assert a.from_string("{{ 'x' | who }}").render() == "x:plain"
    assert b.from_string("{{ 'x' | who }}").render() == "x:ctx"


def test_a_runtime_error_names_this_renders_file(tmp_path: Path) -> None:
    caching = compile_cache._caching(SandboxedEnvironment)
    for where in ("first", "second"):
        folder = tmp_path / where
        folder.mkdir()
        (folder / "page.txt").write_text("line one\n{{ missing.attribute }}\n")
        env = caching(loader=jinja2.FileSystemLoader(folder), undefined=jinja2.StrictUndefined)
        with pytest.raises(jinja2.UndefinedError) as info:
            env.get_template("page.txt").render()
        frames = [entry.path for entry in info.traceback]
        assert str(folder / "page.txt") in map(str, frames), frames
