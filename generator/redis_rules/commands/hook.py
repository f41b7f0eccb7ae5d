"""`redis-rules hook NAME [--agent A]`: the assistants' hooks, one command each.

The hook files a project gets (`.claude/settings.json`, `.cursor/hooks.json`, `.gemini/settings.json`,
`.github/hooks/redis-rules.json`, the skills' and the reviewer's frontmatter) call these, so the hooks
run in the interpreter where redis-rules and its shell parser are installed. Each reads the event
the assistant writes on stdin and answers in that assistant's format (see redis_rules.hooks.events).

A hook never blocks work because of its own failure: an unreadable event, a broken policy file or an
internal error gives one line on stderr and the neutral answer (exit 0). REDIS_RULES_HOOKS=off turns
every hook off.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import NoReturn

from ..errors import UserError
from ..hooks import allowlist, gate, session
from ..hooks.events import AGENTS, Answer, BadEvent, Event, allow_default, deliver, parse_event, read_stdin, to_event
from ..hooks.events import stderr as write_err
from ..hooks.events import stdout as write_out
from ..hooks.shell import find_dangers

HOOKS = {
    "shell-guard": "block shell commands that would send KEYS, FLUSHALL, FLUSHDB, CONFIG SET, DEBUG, SHUTDOWN, "
    "SCRIPT FLUSH to a Redis CLI, or delete a --scan listing without confirmation",
    "lint-edit": "lint the file an edit tool wrote; tell the assistant about rule violations",
    "stop-gate": "lint the files changed in the working tree when the assistant stops; ask it once to fix errors",
    "session-start": "add a five-line summary of the project's Redis policy to the session (and warn when the "
    "project is behind its template)",
    "reviewer-shell": "let the redis-reviewer subagent run only read-only commands",
    "audit-shell": "let /redis-audit run only `redis-rules audit` without --url",
}
OFF_VALUES = ("off", "0", "false", "no")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "hook",
        help="run one assistant hook (reads the hook event on stdin)",
        description="Run an assistant hook: reads the event JSON the assistant writes on stdin and answers "
        "in that assistant's format. Hooks: "
        + "; ".join(f"{name}: {text}" for name, text in HOOKS.items())
        + ". A hook's own failure never blocks (one line on stderr, exit 0). REDIS_RULES_HOOKS=off disables all.",
    )
    p.add_argument("name", choices=sorted(HOOKS), metavar="NAME", help=", ".join(sorted(HOOKS)))
    p.add_argument("--agent", choices=AGENTS, default="claude", help="whose event format (default claude)")
    p.set_defaults(func=run)
    p.error = _never_block  # type: ignore[method-assign]


def _never_block(message: str) -> NoReturn:
    """A usage error here (a hook name from a newer template) must not read as a block (exit 2)."""
    write_err(f"redis-rules hook: {message} (this redis-rules may be older than the project's hooks); allowed\n")
    raise SystemExit(0)


def run(args: argparse.Namespace) -> int:
    agent, name = args.agent, args.name
    if os.environ.get("REDIS_RULES_HOOKS", "").strip().lower() in OFF_VALUES:
        allow_default(agent, name, write_out)
        return 0
    try:
        event = to_event(agent, parse_event(read_stdin()))
    except BadEvent as exc:
        write_err(f"redis-rules hook: could not read the hook event ({exc}); {_let_go(name)}\n")
        allow_default(agent, name, write_out)
        return 0
    try:
        answer = decide(name, event)
    except UserError as exc:  # e.g. a broken .redis-rules.yml: said once, never blocks
        write_err(f"redis-rules hook: {exc}; {_let_go(name)}\n")
        allow_default(agent, name, write_out)
        return 0
    except Exception as exc:  # noqa: BLE001 - a hook's own failure must not block the assistant
        write_err(f"redis-rules hook: internal error in {name} ({type(exc).__name__}: {exc}); {_let_go(name)}\n")
        allow_default(agent, name, write_out)
        return 0
    return deliver(agent, name, answer, write_out, write_err)


def _let_go(name: str) -> str:
    return {"lint-edit": "file not linted", "stop-gate": "not checked", "session-start": "no summary added"}.get(
        name, "command allowed"
    )


def decide(name: str, event: Event) -> Answer:
    """The hook's decision for one event (no I/O on stdout/stderr)."""
    if name == "shell-guard":
        if not event.command:
            return Answer()
        cwd = _cwd(event)
        dangers = find_dangers(event.command, cwd)
        if not dangers:
            return Answer()
        return Answer(block=True, message="; ".join(f"{d.command}: {d.reason}" for d in dangers) + ".")
    if name in ("reviewer-shell", "audit-shell"):
        if not event.command:
            return Answer()
        why = allowlist.refusal("reviewer" if name == "reviewer-shell" else "audit", event.command)
        return Answer(block=why is not None, message=why or "")
    if name == "lint-edit":
        return _lint_edit(event)
    if name == "stop-gate":
        return _stop_gate(event)
    if name == "session-start":
        context, notes = session.summary(event.project)
        return Answer(context=context, notes=notes)
    raise ValueError(f"unknown hook {name!r}")


def _cwd(event: Event) -> Path:
    for value in (event.raw.get("cwd"), str(event.project)):
        if isinstance(value, str) and value and "\0" not in value and Path(value).is_dir():
            return Path(value)
    return event.project


def _in_project(event: Event) -> None:
    try:
        os.chdir(event.project)  # lint shows paths relative to the project, like the assistant sees them
    except OSError:
        pass


def _lint_edit(event: Event) -> Answer:
    if not event.file_path or "\0" in event.file_path:
        return Answer()
    path = Path(event.file_path)
    if not path.is_absolute():
        path = event.project / path
    if not gate.lintable(path):
        return Answer()
    _in_project(event)
    try:
        findings = gate.lint([path])
    except gate.LintUnavailable as exc:
        return Answer(notes=[f"lint could not check {event.file_path}: {exc}"])
    if not findings:
        return Answer()
    header = f"redis-rules lint found Redis rule violations in {event.file_path}; fix them before going on:"
    return Answer(block=True, message=gate.report(findings, header))


def _stop_gate(event: Event) -> Answer:
    _in_project(event)
    files = gate.changed_files(event.project)
    try:
        findings = [f for f in gate.lint(files) if f.severity == "error"]
    except gate.LintUnavailable as exc:
        return Answer(notes=[f"the stop gate could not lint the changed files: {exc}"])
    if not findings:
        return Answer()
    count = len(findings)
    noun = "error" if count == 1 else "errors"
    if event.stop_active:  # it already asked once this turn: let go, and tell the user what is left
        return Answer(message=f"redis-rules: {count} Redis rule {noun} left in changed files; run `redis-rules lint`.")
    header = (
        f"redis-rules: {count} Redis rule {noun} in the files changed in this working tree. "
        "Fix them before you finish (this check asks once per turn):"
    )
    return Answer(block=True, message=gate.report(findings, header))
