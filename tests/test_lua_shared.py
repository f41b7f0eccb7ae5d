"""Every Lua script is one file in templates/_lua/, embedded unchanged by both targets.

Python embeds it as a raw string (templates/_includes/python.jinja), TypeScript as a String.raw template
literal (templates/_includes/typescript.jinja): the same bytes, so the same SHA1 in both languages (one
script cache on the server). A backtick or `${` in a script would end or interpolate the TypeScript literal.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

import jinja2
import pytest

from tests.conftest import ROOT

LUA = sorted((ROOT / "templates" / "_lua").glob("*.lua"))
ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ROOT)), keep_trailing_newline=True)


def embedded(language: str, name: str) -> str:
    """The script as the target's source code holds it, evaluated back to its text."""
    if language == "python":
        literal = ENV.from_string("{% import 'templates/_includes/python.jinja' as py %}{{ py.lua(name) }}").render(
            name=name
        )
        return str(ast.literal_eval(literal))
    literal = ENV.from_string("{% import 'templates/_includes/typescript.jinja' as ts %}{{ ts.lua(name) }}").render(
        name=name
    )
    assert literal.startswith("String.raw`") and literal.endswith("`")
    return literal[len("String.raw`") : -1]  # String.raw keeps every character between the backticks


def test_there_are_scripts() -> None:
    assert len(LUA) >= 10


@pytest.mark.parametrize("path", LUA, ids=[p.stem for p in LUA])
def test_no_backtick_or_interpolation(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "`" not in text, f"{path.name}: a backtick would end the TypeScript String.raw literal"
    assert "${" not in text, f"{path.name}: '${{' would interpolate inside the TypeScript String.raw literal"
    assert text.startswith("--"), f"{path.name}: starts with a comment giving KEYS and ARGV"


@pytest.mark.parametrize("path", LUA, ids=[p.stem for p in LUA])
def test_both_targets_embed_the_same_bytes(path: Path) -> None:
    python, typescript = embedded("python", path.stem), embedded("typescript", path.stem)
    assert python == typescript == "\n" + path.read_text(encoding="utf-8")
    assert hashlib.sha1(python.encode()).hexdigest() == hashlib.sha1(typescript.encode()).hexdigest()
