"""Reading YAML a user wrote (data files, answers files, the policy file, frontmatter), bounded.

`yaml.safe_load` alone accepts inputs that hurt later: an alias bomb (a few lines whose aliases
expand to billions of nodes once Jinja or json walks them), a structure that contains itself,
nesting deep enough to exhaust the stack, duplicate keys (the last silently wins), a file of any
size, bytes that are not UTF-8. Here every such input is refused with a one-line UserError that
names the file (or field) and, where YAML says, the line.
"""

from __future__ import annotations

import os
import select
import stat
import time
from pathlib import Path
from typing import Any

import yaml

from .errors import UserError, one_line

MAX_FILE_BYTES = 1024 * 1024  # data, answers and policy files are a few KiB
STREAM_WAIT = 10.0  # seconds a FIFO, pipe or device may take to deliver its whole content
MAX_NODES = 20_000  # scalars + collections after expanding aliases
MAX_DEPTH = 40

try:  # libyaml when present: same results, faster
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[attr-defined,assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


def _problem(exc: yaml.YAMLError) -> str:
    """One line from a PyYAML error: its problem and where."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return one_line(f"{problem}{where}", 200)


def _check_graph(root: yaml.Node, where: str) -> None:
    """Refuse recursive structures, alias bombs, deep nesting and duplicate keys (iteratively)."""
    sizes: dict[int, int] = {}  # id(node) -> expanded size, for nodes already measured
    # (node, depth, children done?) on an explicit stack: no recursion on hostile nesting
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    open_nodes: set[int] = set()
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            if total > MAX_NODES:
                raise UserError(f"{where}: too large once its aliases (*name) are expanded (over {MAX_NODES:,} values)")
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise UserError(f"{where}: a value contains itself through an alias (*name); write it out")
        if depth > MAX_DEPTH:
            raise UserError(f"{where}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in seen:
                        line = key_node.start_mark.line + 1
                        raise UserError(f"{where}: key '{one_line(key_node.value, 60)}' appears twice (line {line})")
                    seen.add(key_node.value)
        open_nodes.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_text(text: str, where: str) -> Any:
    """The YAML document in `text` as Python values (safe tags only); UserError naming `where`."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node, where)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise UserError(f"{where}: not valid YAML: {_problem(exc)}") from None
    except RecursionError:
        raise UserError(f"{where}: nested too deeply") from None
    except (ValueError, OverflowError) as exc:  # a 5,000-digit integer, a date like 2001-13-45
        raise UserError(f"{where}: not valid YAML: {one_line(exc, 200)}") from None
    finally:
        loader.dispose()


def decode(data: bytes, where: str) -> str:
    """UTF-8 text (a BOM is dropped); UserError naming `where` and the offending byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{where}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8"
        ) from None


def read_bounded(path: Path, where: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """At most `max_bytes` of the file. A FIFO, pipe or device (`--data-file <(...)`) is opened without
    waiting for a writer and read until its end for at most STREAM_WAIT seconds: a FIFO nobody writes to is
    empty, one held open without an end is a one-line error, never a hang."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise UserError(f"{where}: {path} is a folder, not a file") from None
    except OSError as exc:
        raise UserError(f"{where}: cannot read {path}: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise UserError(f"{where}: {path} is a folder, not a file")
        if stat.S_ISREG(mode) or not hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(max_bytes + 1)
        else:
            data = _read_stream(fd, path, where, max_bytes)
    except OSError as exc:
        raise UserError(f"{where}: cannot read {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise UserError(f"{where}: {path} is over {max_bytes // 1024} KiB; this file is a few lines of YAML")
    return data


def _read_stream(fd: int, path: Path, where: str, max_bytes: int) -> bytes:
    """A non-blocking FIFO, pipe or device read to its end, or past `max_bytes`, within STREAM_WAIT seconds."""
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + STREAM_WAIT
    while size <= max_bytes:
        left = deadline - time.monotonic()
        if left <= 0:
            raise UserError(
                f"{where}: {path} did not reach its end within {STREAM_WAIT:g} s (a FIFO or device kept open)"
            )
        if not select.select([fd], [], [], left)[0]:
            continue
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            continue
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def load_file(path: Path, where: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """Read, decode and parse one YAML file; every problem is a one-line UserError naming the file."""
    label = where or str(path)
    return load_text(decode(read_bounded(path, label, max_bytes), label), label)


def as_mapping(data: Any, where: str, what: str = "keys") -> dict[str, Any]:
    """`data` as a mapping with text keys ({} for an empty document); UserError naming `where` otherwise."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"{where}: must be a YAML mapping (name: value)")
    bad_key = next((k for k in data if not isinstance(k, str)), None)
    if bad_key is not None:
        raise UserError(f"{where}: {what} must be text (got {bad_key!r})")
    return data
