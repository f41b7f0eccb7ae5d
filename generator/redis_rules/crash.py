"""Unexpected internal errors: one line on stderr, the full traceback in a file (exit code 3).

The traceback goes to `<cache>/crashes/` (the folder of template_source.cache_root(): $REDIS_RULES_CACHE_DIR,
$XDG_CACHE_HOME/redis-rules or ~/.cache/redis-rules), else to the system temp folder. Credentials are
scrubbed from it like from any other output (redact.scrub).
"""

from __future__ import annotations

import os
import tempfile
import time
import traceback
from pathlib import Path

from .errors import one_line
from .redact import scrub

RUN_TEMP_PREFIX = "redis-rules-run-"  # cli._private_tmp's folder


def crash_folders() -> list[Path]:
    """Where tracebacks are written, in order of preference."""
    folders = []
    try:
        from .template_source import cache_root

        folders.append(cache_root() / "crashes")
    except (OSError, RuntimeError):  # no home folder
        pass
    temp = Path(tempfile.gettempdir())
    if temp.name.startswith(RUN_TEMP_PREFIX):  # the run's private temp folder (cli) is removed when the run ends
        temp = temp.parent
    folders.append(temp)
    return folders


def write_traceback(text: str, verb: str) -> str:
    """Write `text` (scrubbed) to a new file; its path, or a sentence saying no folder was writable."""
    name = f"redis-rules-{verb or 'crash'}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    for folder in crash_folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            with open(path, "x", encoding="utf-8", errors="backslashreplace") as handle:
                handle.write(scrub(text))
            return str(path)
        except OSError:
            continue
    return "nowhere (no writable folder; rerun with --debug to see it)"


def report_crash(exc: BaseException, verb: str) -> str:
    """The one line for stderr about an unexpected exception; writes its traceback to a file."""
    text = "".join(traceback.format_exception(exc))
    where = write_traceback(text, verb)
    detail = one_line(scrub(str(exc)), 160)
    name = type(exc).__name__ + (f" ({detail})" if detail else "")
    return f"internal error in {verb or 'redis-rules'}: {name}; the traceback is in {where} (--debug prints it)"
