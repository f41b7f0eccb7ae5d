"""Shell allowlists for narrow agents: the redis-reviewer subagent and the /redis-audit command.

Their frontmatter registers a PreToolUse hook on Bash (`redis-rules hook reviewer-shell` or
`audit-shell`); a command line passes only when every simple command in it (after parsing, nested
ones included) is on the list and nothing is written to a file.
"""

from __future__ import annotations

from ..redact import redact_text
from .shell import UNKNOWN, SimpleCommand, simple_commands

GIT_READ = frozenset({"diff", "log", "show", "status", "merge-base", "rev-parse", "ls-files", "blame", "branch"})
FILTERS = frozenset({"head", "tail", "wc", "sort", "uniq", "grep", "cat", "cut", "tr"})
REVIEWER_RULE = (
    "the redis-reviewer only reads: it may run `redis-rules lint|rules|check`, read-only git "
    "(diff, log, show, status, merge-base, ...) and text filters (head, grep, wc, ...), and write no file"
)
AUDIT_RULE = (
    "/redis-audit runs `redis-rules audit` with the URL from the environment only (no --url), "
    "`redis-rules rules`, and writes no file"
)


def _name(argv: list[str]) -> str:
    return argv[0].rsplit("/", 1)[-1] if argv else ""


def _reviewer_ok(cmd: SimpleCommand) -> bool:
    argv = cmd.argv
    if cmd.writes_file or not argv or any(UNKNOWN in word for word in argv[:2]):
        return False
    name = _name(argv)
    if name == "redis-rules":
        return len(argv) > 1 and argv[1] in ("lint", "rules", "check")
    if name == "git":
        sub = next((w for w in argv[1:] if not w.startswith("-")), "")
        return sub in GIT_READ and not (sub == "branch" and any(w in ("-d", "-D", "-m", "-M") for w in argv))
    return name in FILTERS


def _audit_ok(cmd: SimpleCommand) -> bool:
    argv = cmd.argv
    if cmd.writes_file or not argv or _name(argv) != "redis-rules" or len(argv) < 2:
        return False
    if argv[1] == "rules":
        return True
    return argv[1] == "audit" and not any(w == "--url" or w.startswith("--url=") for w in argv[2:])


def refusal(profile: str, command: str) -> str | None:
    """Why `command` is refused for this profile (reviewer|audit), or None when it may run."""
    commands = simple_commands(command)
    rule = REVIEWER_RULE if profile == "reviewer" else AUDIT_RULE
    if commands is None:
        return f"the command line does not parse; {rule}"
    check = _reviewer_ok if profile == "reviewer" else _audit_ok
    for cmd in commands:
        if not check(cmd):
            # redacted before the cut: a URL cut inside its password would no longer be recognised as one
            shown = redact_text(" ".join(w.replace(UNKNOWN, "$?") for w in cmd.argv))[:120]
            return f"`{shown}` is not allowed here: {rule}"
    return None
