"""Where the Copier template lives.

From a checkout (editable install) the template is the repo itself: copier.yml,
templates/ and rulesets/ beside the generator package. A wheel carries the same
three under generator/_template/.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_template_root() -> Path:
    """The folder holding copier.yml, templates/ and rulesets/ for this installed version."""
    checkout = PACKAGE_DIR.parent
    if (checkout / "copier.yml").is_file() and (checkout / "templates").is_dir():
        return checkout
    bundled = PACKAGE_DIR / "_template"
    if (bundled / "copier.yml").is_file():
        return bundled
    raise RuntimeError(f"redis-rules is installed without its template (looked in {checkout} and {bundled})")


def template_for_new(template: str | None, vcs_ref: str | None) -> tuple[str, Path, str | None]:
    """(copier src, local root to read copier.yml from, vcs ref) for `redis-rules new`.

    Without --template: the installed template. From a git checkout we render its
    working tree (HEAD plus uncommitted edits), so the answers file records a git
    source that `copier update` can use too.
    """
    from .errors import UserError

    if template is None:
        root = bundled_template_root()
        if (root / ".git").exists():
            return str(root), root, vcs_ref or "HEAD"
        return str(root), root, vcs_ref
    local = Path(template.removeprefix("git+file://")).expanduser()
    if local.is_dir():
        if not (local / "copier.yml").is_file():
            raise UserError(f"--template: {template} has no copier.yml")
        return template, local, vcs_ref
    # a remote git URL: let copier fetch it once, then read its copier.yml from the clone
    from copier._vcs import clone, get_repo

    repo = get_repo(template)
    if repo is None:
        raise UserError(f"--template: {template} is neither a folder nor a git URL")
    try:
        cloned = Path(clone(repo, vcs_ref or "HEAD"))
    except Exception as exc:
        raise UserError(f"--template: cannot fetch {template}: {exc}") from exc
    return template, cloned, vcs_ref
