"""redis-rules: project-specific Redis rules, modules and checks for AI-assisted codebases."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """`__version__`, looked up on first use: importlib.metadata costs ~50 ms of every command's start."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("redis-rules")
    except PackageNotFoundError:  # running from a checkout without install
        found = "0.0.0"
    globals()["__version__"] = found
    return found
