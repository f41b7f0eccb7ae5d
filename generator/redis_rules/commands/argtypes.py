"""Argument types shared by the verbs: whole numbers and folders a user types, checked as usage errors (exit 2)."""

from __future__ import annotations

import argparse
import errno
import os
import re
import unicodedata
from collections.abc import Callable

_WHOLE = re.compile(r"[+-]?[0-9][0-9_]{0,20}")


def whole(text: str) -> int:
    """ASCII digits ('_' allowed between them), at most about 18 of them: a usage error otherwise."""
    if not _WHOLE.fullmatch(text.strip()) or len(text.replace("_", "").strip().lstrip("+-")) > 18:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    return int(text.strip().replace("_", ""))


def positive_int(text: str) -> int:
    value = whole(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def non_negative_int(text: str) -> int:
    value = whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def int_between(low: int, high: int) -> Callable[[str], int]:
    """A whole number in [low, high]."""

    def parse(text: str) -> int:
        value = whole(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got {value}")
        return value

    return parse


def path_arg(text: str) -> str:
    """A file or folder argument; an empty one (an unset shell variable, `"$DIR"`) is refused rather than
    read as `.` (Path("") is the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty (use . for the current folder)")
    return text


def folder(text: str) -> str:
    """A folder redis-rules writes or reads a project in: a `path` on one line, without control characters
    (a newline in it would split every message that names it). Bytes that are not UTF-8 (surrogate escapes)
    are a valid name and are kept."""
    path_arg(text)
    if any(unicodedata.category(c) == "Cc" or c in "\u2028\u2029" for c in text):
        raise argparse.ArgumentTypeError("must be one line without control characters")
    try:
        os.stat(text)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # Path.resolve() would raise RuntimeError further on
            raise argparse.ArgumentTypeError("is a symbolic link loop (a link that points back to itself)") from None
    return text
