"""The CLI contract of issue 14, as assertions shared by the hostile-input tests.

Every hostile input ends either with exit 0 (or 1 for findings/conflicts) and sound output, or
with exit 2 and one line naming the field or source, nothing written; never a traceback, never
exit 3 (internal error), never a credential.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from redis_rules import cli
from tests.conftest import git
from tests.hostile.counting import tried

__all__ = ["ALIAS_BOMB", "assert_contract", "assert_refused", "committed_project", "git", "run", "tried"]
ERROR_LINE = re.compile(r"^redis-rules( [a-z]+)?: error: ")
# nine lines whose aliases expand to 10^9 values: refused by safe_yaml before anything walks it
ALIAS_BOMB = "\n".join(
    ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    + ["project_name: *a8"]
)


def run(*argv: str) -> tuple[int, str, str]:
    """`redis-rules ARGV` in-process; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def assert_refused(code: int, out: str, err: str, *names: str) -> None:
    """Exit 2 with exactly one line on stderr, naming one of `names` (a field or a source), no traceback."""
    assert code == 2, (code, out[-2000:], err[-2000:])
    assert err.count("\n") == 1 and ERROR_LINE.match(err), err
    assert "Traceback" not in out + err
    if names:
        assert any(name in err for name in names), (names, err)


def assert_contract(code: int, out: str, err: str, *names: str, allowed: tuple[int, ...] = (0, 2)) -> None:
    """An outcome the contract allows: exit in `allowed`, never 3, never a traceback; a refusal is one line."""
    assert code in allowed, (code, out[-2000:], err[-2000:])
    assert "Traceback" not in out + err and "internal error" not in err, err
    if code == 2:
        assert_refused(code, out, err, *names)


def committed_project(dest: Path, template: Path, *data: str) -> Path:
    """`new DEST --defaults --template TEMPLATE` (modules=[cache] unless `data` says otherwise), committed."""
    args = [arg for item in ("modules=[cache]", *data) for arg in ("--data", item)]
    code, _, err = run("new", str(dest), "--defaults", "--template", str(template), *args)
    assert code == 0, err
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "rendered")
    return dest
