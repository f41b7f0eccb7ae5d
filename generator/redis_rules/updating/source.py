"""Which template an update renders from, and at which ref.

The answers file records `_src_path` and `_commit`. A project made by `redis-rules new`
records a local git source: this checkout, or the cache repo that holds every installed
template version (`template_source.ensure_cached_template`), so updating needs no network
when the recorded version is installed. Any other source (a git URL or path) is used
as recorded, like `copier update` does.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import template_source  # looked up at call time: the one seam for where the installed template is
from ..errors import UserError, one_line
from ..redact import git_failure, redact_url, register_url
from ..template_source import (
    ensure_cached_template,
    installed_tag,
    is_remote_source,
    same_source,
    template_cache_repo,
)


@dataclass(frozen=True)
class TemplateSource:
    url: str  # as recorded in the answers file
    current: str  # recorded `_commit`
    target: str  # ref the update renders (== current unless --upgrade)
    root: Path  # the template at `target`, checked out locally (copier.yml for validation)
    local: bool  # a folder on this machine: no network needed


def resolve_source(answers: dict[str, Any], *, upgrade: bool, workdir: Path) -> TemplateSource:
    from copier._vcs import clone, get_latest_tag, get_repo

    url = str(answers["_src_path"])
    current = str(answers["_commit"])
    register_url(url)  # a token recorded in _src_path never reaches an error message
    local = not is_remote_source(url)
    if local and same_source(url, template_cache_repo()):
        root = template_source.bundled_template_root()
        if not (root / ".git").exists():  # a wheel: make sure the installed version is in the cache
            try:
                ensure_cached_template(root)
            except (OSError, subprocess.SubprocessError) as exc:
                cache = template_cache_repo()
                raise UserError(f"cannot prepare the local template cache {cache}: {exc}") from exc
    repo = get_repo(url)
    if repo is None:
        hint = ""
        if local:
            fix = (
                "fix _src_path (the template's absolute path or git URL)"
                if installed_tag() == current
                else f"install the redis-rules version that rendered the project ({current}; installed: "
                f"{installed_tag()}), or fix _src_path"
            )
            hint = (
                "; it is not a git repository on this machine (a relative path is looked up from the current "
                f"folder, the project and its parent); {fix}"
            )
        raise UserError(f"template source {redact_url(url)!r} recorded in .copier-answers.yml is unusable{hint}")
    target = current
    try:
        target = get_latest_tag(repo) if upgrade else current
        checkout = Path(clone(repo, target, location=str(workdir / "template")))
    except Exception as exc:  # plumbum/git errors: network, missing ref
        detail = one_line(git_failure(exc), 200)
        raise UserError(f"cannot read template {redact_url(url)} at {target}: {detail}") from exc
    if not (checkout / "copier.yml").is_file():
        raise UserError(f"template {redact_url(url)} at {target} has no copier.yml")
    return TemplateSource(url=url, current=current, target=target, root=checkout, local=local)
