"""`redis-rules update [DEST]`: regenerate after a policy change (`--set`) or a template upgrade.

Copier's 3-way merge keeps the team's edits; unlike stock `copier update`, a conflict is
never silent: every conflicted file is listed with its hunk count and the exit code is 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from ..errors import FindingsError
from ..updating import UpdateOutcome, update_project
from ..updating.answers import parse_sets
from .argtypes import folder


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "update",
        help="regenerate after a policy change (--set) or a template upgrade (--upgrade)",
        description="Re-render the project from its .copier-answers.yml with copier's 3-way merge, keeping "
        "local edits. DEST must be a git repository with no uncommitted changes. Exit codes: 0 updated, "
        "1 conflicts to resolve, 2 usage or input error (nothing written).",
    )
    p.add_argument(
        "dest", nargs="?", default=".", type=folder, metavar="DEST", help="the rendered project (default: .)"
    )
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change one answer (repeatable), validated like `new --data`",
    )
    p.add_argument(
        "--upgrade", action="store_true", help="move to the newest template version (default: stay at the recorded one)"
    )
    p.add_argument(
        "--pretend",
        action="store_true",
        help="list the files that would be added, modified, deleted or conflict; write nothing",
    )
    p.add_argument(
        "--conflict",
        choices=("inline", "rej"),
        default="inline",
        help="inline: conflict markers in the file (default); rej: rejected hunks in FILE.rej",
    )
    p.set_defaults(func=run)


def _value(value: object) -> str:
    """An answer as the answers file writes it (YAML flow style: null, true, {session: 604800}), on one line."""
    if isinstance(value, str) and value and value.strip() == value and "\n" not in value:
        return value
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True, sort_keys=False).strip()
    return text.removesuffix("...").strip()


def report(outcome: UpdateOutcome) -> None:
    verb = "would update" if outcome.pretend else "updated"
    version = outcome.from_ref
    if outcome.to_ref != outcome.from_ref:
        version = f"{outcome.from_ref} -> {outcome.to_ref}"
    print(f"{verb} {outcome.dest} (template {version})")
    for change in outcome.answer_changes:
        if change.dropped:
            print(f"  answer    {change.name}: {_value(change.old)} dropped (asked only when {change.dropped})")
        else:
            print(f"  answer    {change.name}: {_value(change.old)} -> {_value(change.new)}")
    conflicted = {c.path for c in outcome.conflicts}
    edited = set(outcome.edited_deletions)
    put_back = set(outcome.owned_put_back)
    for kind, path in outcome.changes:
        if path in conflicted:
            continue
        note = ""
        if path in edited:
            note = f"  (had local edits; `git show HEAD:./{path}` has them)"
        if path in outcome.importers:
            users = outcome.importers[path]
            shown = ", ".join(users[:3]) + (f" and {len(users) - 3} more" if len(users) > 3 else "")
            note += f"  (still imported by {shown}: keep it with `git checkout HEAD -- {path}`, or change them)"
        elif path in put_back:
            verb = "would be" if outcome.pretend else "were"
            note = f"  (edits inside its redis-rules parts {verb} replaced by the render; "
            note += f"`git show HEAD:./{path}` has them)"
        print(f"  {kind:<9} {path}{note}")
    for c in outcome.conflicts:
        print(f"  conflict  {c.describe()}")
    for note in outcome.notes:
        print(f"  note      {note}")
    if outcome.kept_deleted:  # the answers still render them: `check` fails on each until restored or dropped
        n = len(outcome.kept_deleted)
        shown = ", ".join(outcome.kept_deleted[:5]) + (f" and {n - 5} more" if n > 5 else "")
        print(
            f"  note      {n} generated file{'s' if n != 1 else ''} the project deleted stay{'' if n != 1 else 's'} "
            f"deleted, without this update's changes: {shown} (`redis-rules check` says how to restore each; "
            'or leave its module out with --set "modules=[...]")'
        )
    if not outcome.changes and not outcome.conflicts:
        print("  no changes")
    elif not outcome.pretend and not outcome.conflicts:
        print(f"done in {outcome.seconds:.1f}s; review with `git diff`, then commit")


def run(args: argparse.Namespace) -> int:
    sets = parse_sets(args.sets)
    outcome = update_project(Path(args.dest), sets, upgrade=args.upgrade, pretend=args.pretend, conflict=args.conflict)
    report(outcome)
    if outcome.conflicts:
        n = len(outcome.conflicts)
        files = ", ".join(c.describe() for c in outcome.conflicts)
        if outcome.pretend:
            raise FindingsError(f"the update would conflict in {n} file{'s' if n != 1 else ''}: {files}")
        fix = "merge each FILE.rej into FILE and delete it" if args.conflict == "rej" else "resolve the <<<<<<< blocks"
        raise FindingsError(
            f"{n} file{'s' if n != 1 else ''} with conflicts: {files}; {fix}, then `git add` and commit "
            "(every other change is applied; `git reset --hard && git clean -fd` undoes the whole update)"
        )
    if outcome.importers:  # the update is applied, but the team's code would fail to import: not a clean exit
        n = len(outcome.importers)
        paths = ", ".join(sorted(outcome.importers))
        if outcome.pretend:
            raise FindingsError(f"the update would delete {n} module{'s' if n != 1 else ''} still imported: {paths}")
        raise FindingsError(
            f"{n} deleted module{'s' if n != 1 else ''} still imported: {paths}; keep each with "
            "`git checkout HEAD -- PATH` or change its importers, then commit"
        )
    return 0
