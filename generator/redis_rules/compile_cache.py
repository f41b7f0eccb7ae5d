"""Compile each Jinja source of the template once per process, however many Copier renders run.

Copier builds a new Jinja environment for every render: `update` renders the template three or four times (the
old and new versions inside `copier update`, and the reference that keeps our files current), and each render
parsed and compiled every file, path and include again (about a thousand compiles, half of a render's time).
A compiled template is Python code that takes its environment at run time, so it can be reused by any
environment whose compile-time settings are the same; those settings are part of the cache key.
Only the environments Copier creates inside `compiled_once()` use the cache (see render.copier_copy and
updating.run.copier_update); Copier's own code is unchanged, and a Copier without the expected class
renders as before, uncached.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import CodeType
from typing import Any

_CODE: dict[tuple[object, ...], CodeType] = {}
_LOCK = threading.Lock()
_MAX = 20_000  # entries (a render of this template compiles about 1,000); beyond it, start again


def _settings(env: Any) -> tuple[object, ...]:
    """What Jinja's parser and code generator read from the environment (the rest is read at run time)."""
    return (
        f"{type(env).__mro__[1].__module__}.{type(env).__mro__[1].__qualname__}",
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        "callable" if callable(env.autoescape) else bool(env.autoescape),
        None if env.finalize is None else _pass_arg(env.finalize),
        tuple(sorted(env.extensions)),
        # a filter's or test's existence and its pass_context/pass_environment mark are read at compile time
        # (Copier wraps to_json in a new partial per environment: the function itself is looked up at run time)
        tuple(sorted((k, _pass_arg(v)) for k, v in env.filters.items())),
        tuple(sorted((k, _pass_arg(v)) for k, v in env.tests.items())),
    )


def _pass_arg(func: object) -> str:
    return str(getattr(func, "jinja_pass_arg", None))


def _with_filename(code: CodeType, filename: str) -> CodeType:
    """The code with its file name (and its nested functions') set: tracebacks name this render's file."""
    consts = tuple(_with_filename(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


@functools.cache
def _caching(base: type[Any]) -> type[Any]:
    class CachingEnvironment(base):  # type: ignore[misc,valid-type]
        """`base` whose compile() of a source string is looked up in the process-wide cache first."""

        _settings_key: tuple[object, ...] | None = None

        def compile(  # type: ignore[override]
            self,
            source: Any,
            name: str | None = None,
            filename: str | None = None,
            raw: bool = False,
            defer_init: bool = False,
        ) -> Any:
            if raw or not isinstance(source, str):
                return super().compile(source, name, filename, raw, defer_init)
            if self._settings_key is None:  # filters are all added by the time the first file compiles
                self._settings_key = _settings(self)
            key = (source, name, defer_init, self._settings_key)
            code = _CODE.get(key)
            if code is None:
                code = super().compile(source, name, filename, raw, defer_init)
                with _LOCK:
                    if len(_CODE) >= _MAX:
                        _CODE.clear()
                    _CODE[key] = code
            want = filename or "<template>"
            return code if code.co_filename == want else _with_filename(code, want)

    CachingEnvironment.__qualname__ = CachingEnvironment.__name__ = f"Caching{base.__name__}"
    return CachingEnvironment


@contextmanager
def compiled_once() -> Iterator[None]:
    """Copier renders inside this block share compiled templates (see the module docstring)."""
    try:
        from copier import _main
    except ImportError:  # pragma: no cover - copier is a dependency
        yield
        return
    base = getattr(_main, "SandboxedEnvironment", None)
    if not isinstance(base, type) or not hasattr(base, "compile"):
        yield  # a Copier that builds its environment differently: render uncached
        return
    if base.__name__.startswith("Caching"):  # nested use
        yield
        return
    setattr(_main, "SandboxedEnvironment", _caching(base))  # noqa: B010 - Copier reads it when it builds one
    try:
        yield
    finally:
        setattr(_main, "SandboxedEnvironment", base)  # noqa: B010
