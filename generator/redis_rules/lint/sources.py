"""Reading source files safely: regular files only, bounded size, never blocking, encodings as Python says.

A FIFO, socket or device named `x.py` (or a symlink to one) is refused without blocking (the file is opened
with O_NONBLOCK and checked with fstat before any read); a file over `MAX_BYTES` is refused without being
read whole; a symlink loop is refused by the OS (ELOOP). Each refusal is a `SourceError` whose text says why,
reported as an E902 finding for that file.
"""

from __future__ import annotations

import io
import os
import stat
import tokenize
from pathlib import Path

MAX_BYTES = 4 * 1024 * 1024  # larger files are skipped (E902): generated bundles, data in disguise


class SourceError(Exception):
    """A file that cannot be read as source; str() is the reason, one line."""


def read_source_file(path: Path | str, limit: int = MAX_BYTES) -> str:
    """The file's text (PEP 263 encoding for .py, UTF-8 otherwise). Raises SourceError."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SourceError("not a regular file (a FIFO, socket or device)")
        if st.st_size > limit:
            raise SourceError(f"file is {st.st_size:,} bytes, over the {limit:,}-byte limit; skipped")
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise SourceError(f"file grew over the {limit:,}-byte limit while read; skipped")
    return decode(data, python=os.fspath(path).endswith(".py"))


def decode(data: bytes, python: bool = True) -> str:
    """Bytes to text: a Python file's declared encoding (default UTF-8), else UTF-8 (BOM removed)."""
    encoding = "utf-8-sig"
    if python:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError:
            encoding = "utf-8"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        shown = "utf-8" if encoding == "utf-8-sig" else encoding  # the BOM is optional: say UTF-8
        raise SourceError(f"cannot decode as {shown}: {exc}") from None


def printable_path(text: str) -> str:
    """A path for output on a strict UTF-8 stream: undecodable bytes (surrogate escapes) as `\\xNN`,
    control characters escaped."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if "\udc80" <= ch <= "\udcff":
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
    return "".join(out)
