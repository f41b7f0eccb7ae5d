"""Assistant rule files: the marker-delimited Redis section and frontmatter validation.

Every rule file redis-rules renders (CLAUDE.md, AGENTS.md, .cursor/rules/redis.mdc,
.github/instructions/redis.instructions.md, .claude/rules/redis.md) carries its Redis text
between two marker lines:

    <!-- BEGIN redis-rules (generated ...; regenerate: `redis-rules update` ...) -->
    ...
    <!-- END redis-rules -->

When the destination already has the file (a project adopting redis-rules later, or a
regeneration), only that section is written: replaced when the markers are there, appended
otherwise. Everything outside the markers is kept byte for byte, so running twice gives the
same bytes: marker lines quoted inside a fenced code block (``` or ~~~) are text, not markers,
and the section is written with the file's own line endings (a CRLF file stays CRLF). A file's
frontmatter sits outside the markers: an existing one is kept as is (it is the owner's to scope);
a file without one gets ours in front, so the tool still loads the rule.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import safe_yaml
from .errors import UserError

BEGIN_PREFIX = "<!-- BEGIN redis-rules"
END_LINE = "<!-- END redis-rules -->"

# files whose Redis section is merged, never overwritten (relative paths, forward slashes)
MARKED_FILES = (
    "CLAUDE.md",
    "AGENTS.md",
    ".cursor/rules/redis.mdc",
    ".github/instructions/redis.instructions.md",
    ".claude/rules/redis.md",
    "GEMINI.md",
)

_BEGIN_RE = re.compile(r"^" + re.escape(BEGIN_PREFIX) + r"\b.*-->[ \t]*\r?$", re.MULTILINE)
_END_RE = re.compile(r"^" + re.escape(END_LINE) + r"[ \t]*\r?$", re.MULTILINE)
_FRONTMATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


class MarkerError(UserError):
    """A file has broken redis-rules markers; nothing is written."""


def is_marked_file(rel: str) -> bool:
    return rel.replace("\\", "/") in MARKED_FILES


# ---------------------------------------------------------------- frontmatter
def split_frontmatter(text: str) -> tuple[str, str]:
    """(frontmatter block including both `---` lines, the rest); ('', text) when there is none."""
    match = _FRONTMATTER_RE.match(text)
    if not match:
        return "", text
    return text[: match.end()], text[match.end() :]


def parse_frontmatter(text: str, where: str = "file") -> dict[str, Any] | None:
    """The frontmatter as a mapping, None when the file has none; UserError when it is not YAML."""
    block, _ = split_frontmatter(text)
    if not block:
        return None
    inner = block.split("\n", 1)[1].rsplit("---", 1)[0]
    data = safe_yaml.load_text(inner, f"{where}: frontmatter")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"{where}: frontmatter must be a YAML mapping")
    return data


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _is_str_list(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, str) and x.strip() for x in v)


def _is_globs(v: Any) -> bool:  # Cursor takes a comma-separated string or a list
    return (isinstance(v, str) and all(p.strip() for p in v.split(","))) or _is_str_list(v)


def _is_glob_string(v: Any) -> bool:  # Copilot applyTo: comma-separated globs in one string
    return isinstance(v, str) and bool(v.strip()) and all(p.strip() for p in v.split(","))


def _is_exclude_agent(v: Any) -> bool:
    return v in ("code-review", "coding-agent")


@dataclass(frozen=True)
class FrontmatterSchema:
    tool: str
    keys: dict[str, tuple[Callable[[Any], bool], str]]  # key -> (check, expected type in words)
    required: tuple[str, ...] = ()
    allowed_missing: bool = True  # may the file have no frontmatter at all?


SCHEMAS: dict[str, FrontmatterSchema] = {
    ".cursor/rules/*.mdc": FrontmatterSchema(
        "Cursor",
        {
            "description": (_is_str, "a string"),
            "globs": (_is_globs, "a comma-separated string or a list of globs"),
            "alwaysApply": (_is_bool, "a YAML boolean (true/false, not a quoted string)"),
        },
        required=("alwaysApply",),
        allowed_missing=False,
    ),
    ".github/instructions/*.instructions.md": FrontmatterSchema(
        "GitHub Copilot",
        {
            "applyTo": (_is_glob_string, "a string of comma-separated globs"),
            "description": (_is_str, "a string"),
            "excludeAgent": (_is_exclude_agent, "'code-review' or 'coding-agent'"),
        },
        required=("applyTo",),
        allowed_missing=False,
    ),
    ".claude/rules/*.md": FrontmatterSchema(
        "Claude Code",
        {"paths": (_is_str_list, "a list of glob strings")},
    ),
}


def schema_for(rel: str) -> FrontmatterSchema | None:
    rel = rel.replace("\\", "/")
    for pattern, schema in SCHEMAS.items():
        if fnmatch.fnmatchcase(rel, pattern):
            return schema
    return None


def validate_frontmatter(rel: str, text: str) -> list[str]:
    """Problems with this rule file's frontmatter for the tool that reads it ([] when fine).

    CLAUDE.md and AGENTS.md are plain Markdown: a frontmatter block there is shown as text.
    """
    rel = rel.replace("\\", "/")
    try:
        data = parse_frontmatter(text, rel)
    except UserError as exc:
        return [str(exc)]
    if rel in ("CLAUDE.md", "AGENTS.md", "GEMINI.md"):
        return [f"{rel}: plain Markdown, must not start with a frontmatter block"] if data is not None else []
    schema = schema_for(rel)
    if schema is None:
        return []
    if data is None:
        return [] if schema.allowed_missing else [f"{rel}: {schema.tool} needs a frontmatter block"]
    problems = [
        f"{rel}: key '{key}' is not read by {schema.tool} (allowed: {', '.join(schema.keys)})"
        for key in data
        if key not in schema.keys
    ]
    problems += [f"{rel}: missing '{key}'" for key in schema.required if key not in data]
    for key, value in data.items():
        if key in schema.keys:
            check, expected = schema.keys[key]
            if not check(value):
                problems.append(f"{rel}: '{key}' must be {expected} (got {value!r})")
    return problems


# ---------------------------------------------------------------- the marked section
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def fenced_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the fenced code blocks (``` or ~~~, CommonMark rules) that are closed.

    A fence that is never closed is not counted: read that way, it would hide the real markers after it.
    """
    spans: list[tuple[int, int]] = []
    opening: tuple[str, int] | None = None  # (fence characters, start offset)
    offset = 0
    for line in text.splitlines(keepends=True):
        match = _FENCE_RE.match(line.rstrip("\r\n"))
        if match:
            fence, rest = match.group(1), match.group(2)
            if opening is None:
                if not (fence[0] == "`" and "`" in rest):  # a backtick fence's info string has no backtick
                    opening = (fence, offset)
            elif fence[0] == opening[0][0] and len(fence) >= len(opening[0]) and not rest.strip():
                spans.append((opening[1], offset + len(line)))
                opening = None
        offset += len(line)
    return spans


def _outside(matches: list[re.Match[str]], spans: list[tuple[int, int]]) -> list[re.Match[str]]:
    return [m for m in matches if not any(start <= m.start() < end for start, end in spans)]


def find_section(text: str, where: str) -> tuple[int, int] | None:
    """(start, end) offsets of the BEGIN..END lines (end includes END's newline); None without markers.

    Marker lines inside fenced code blocks are not markers. Raises MarkerError for a BEGIN without END
    (or the reverse), several sections, or END before BEGIN.
    """
    spans = fenced_spans(text)
    begins = _outside(list(_BEGIN_RE.finditer(text)), spans)
    ends = _outside(list(_END_RE.finditer(text)), spans)
    if not begins and not ends:
        return None

    def line_of(offset: int) -> int:
        return text.count("\n", 0, offset) + 1

    if len(begins) != 1 or len(ends) != 1:
        where_lines = ", ".join(str(line_of(m.start())) for m in [*begins, *ends])
        raise MarkerError(
            f"{where}: expected one '{BEGIN_PREFIX} ...' line and one '{END_LINE}' line, found "
            f"{len(begins)} and {len(ends)} (lines {where_lines}); fix the markers, nothing was written"
        )
    begin, end = begins[0], ends[0]
    if end.start() < begin.start():
        raise MarkerError(
            f"{where}: '{END_LINE}' (line {line_of(end.start())}) comes before the BEGIN line "
            f"(line {line_of(begin.start())}); fix the markers, nothing was written"
        )
    stop = end.end()
    if text.startswith("\r\n", stop):
        stop += 2
    elif text.startswith("\n", stop):
        stop += 1
    return begin.start(), stop


def section_of(rendered: str, where: str) -> tuple[str, str]:
    """(frontmatter, section) of a freshly rendered rule file; the section ends with a newline."""
    frontmatter, body = split_frontmatter(rendered)
    span = find_section(body, where)
    if span is None:
        raise MarkerError(f"{where}: the rendered file has no redis-rules markers (template bug)")
    section = body[span[0] : span[1]]
    return frontmatter, section if section.endswith("\n") else section + "\n"


def newline_of(text: str) -> str:
    """The file's line ending: CRLF when most of its lines end so, else LF."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf >= text.count("\n") - crlf else "\n"


def merge_section(existing: str, rendered: str, where: str) -> str:
    """The existing file with its Redis section replaced by (or appended from) the rendered file.

    What is added (section, frontmatter, blank lines) uses the existing file's line endings.
    """
    frontmatter, section = section_of(rendered, where)
    nl = newline_of(existing) if existing else "\n"
    if nl != "\n":
        frontmatter, section = frontmatter.replace("\n", nl), section.replace("\n", nl)
    own_frontmatter, _ = split_frontmatter(existing)
    span = find_section(existing, where)
    if span is not None:
        start, stop = span
        return existing[:start] + section + existing[stop:]
    if not existing.strip():
        return frontmatter + section
    if existing.endswith(nl + nl):
        joined = existing + section
    elif existing.endswith(("\n", "\r")):
        joined = existing + nl + section
    else:
        joined = existing + nl + nl + section
    if frontmatter and not own_frontmatter:
        return frontmatter + joined
    return joined
