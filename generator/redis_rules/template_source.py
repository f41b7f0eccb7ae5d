"""Where the Copier template lives.

From a checkout (editable install) the template is the repo itself: copier.yml,
templates/ and rulesets/ beside generator/ (which holds this package). A wheel carries the same
three under redis_rules/_template/.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .answers_file import ANSWERS_FILE
from .errors import UserError, one_line
from .gitenv import git_env
from .redact import git_failure, has_credentials, redact_url, register_url

PACKAGE_DIR = Path(__file__).resolve().parent
CACHE_ENV = "REDIS_RULES_CACHE_DIR"  # override of the cache folder (tests, read-only homes)
_GIT_ID = (
    "-c",
    "user.name=redis-rules",
    "-c",
    "user.email=redis-rules@localhost",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "tag.gpgsign=false",
    "-c",
    "core.hooksPath=/dev/null",
)


def bundled_template_root() -> Path:
    """The folder holding copier.yml, templates/ and rulesets/ for this installed version."""
    checkout = PACKAGE_DIR.parent.parent  # generator/redis_rules/ -> the checkout
    if (checkout / "copier.yml").is_file() and (checkout / "templates").is_dir():
        return checkout
    bundled = PACKAGE_DIR / "_template"
    if (bundled / "copier.yml").is_file():
        return bundled
    raise RuntimeError(f"redis-rules is installed without its template (looked in {checkout} and {bundled})")


def refuse_nested_repositories(root: Path) -> None:
    """UserError when the git checkout ``root`` (a template rendered from its working tree) holds an untracked,
    not ignored git repository, e.g. a project rendered inside the checkout and then `git init`-ed: Copier
    snapshots a dirty template with `git add -A`, which records such a folder as a submodule without a URL,
    and then fails in `git submodule update` (`new` and `check` render the checkout's working tree)."""
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "--others", "--exclude-standard", "-z"],
            capture_output=True,
            timeout=60,
            check=True,
            env=git_env(),
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return  # not a repository git can read: Copier reports what it finds
    nested = [
        p for p in listed.decode(errors="replace").split("\0") if p.endswith("/") and (root / p / ".git").exists()
    ]
    if nested:
        shown = ", ".join(repr(p.rstrip("/")) for p in nested[:3]) + (
            f" and {len(nested) - 3} more" if len(nested) > 3 else ""
        )
        raise UserError(
            f"template checkout {root}: {shown} inside it is a git repository that git does not ignore; Copier "
            "snapshots the checkout with `git add -A` and would record it as a submodule it cannot check out: "
            "move it out of the checkout or add it to the checkout's .gitignore"
        )


@contextlib.contextmanager
def template_for_new(
    template: str | None, vcs_ref: str | None, *, recorded: bool = False
) -> Iterator[tuple[str, Path, str | None]]:
    """(copier src, local root to read copier.yml from, vcs ref) for `redis-rules new`, as a context.

    Without --template: the installed template. From a git checkout we render its
    working tree (HEAD plus uncommitted edits); from a wheel, the cache git repo of
    `ensure_cached_template` at tag `v<version>`. Either way the answers file records
    a git source that `redis-rules update` and stock `copier update` can use.
    A remote --template is cloned once into a temporary folder, removed when the context
    ends (also on an error, Ctrl-C or SIGTERM). A URL carrying a credential is refused:
    copier would record it in .copier-answers.yml, and git would print it in its errors.
    ``recorded``: the source comes from the answers file (`check`): errors name `_src_path`, and a credential
    in it, recorded already, is used but kept out of every message.
    """
    what = f"_src_path in {ANSWERS_FILE}" if recorded else "--template"
    if recorded:
        register_url(template)
    elif template is not None and has_credentials(template):
        raise UserError(
            f"--template: {redact_url(template)} carries a credential, which would be recorded in "
            ".copier-answers.yml; use a git credential helper or SSH, or "
            "`git config --global url.<URL with token>.insteadOf <URL>`"
        )
    with contextlib.ExitStack() as cleanup:
        yield _template_for_new(template, vcs_ref, cleanup, what)


def _template_for_new(
    template: str | None, vcs_ref: str | None, cleanup: contextlib.ExitStack, what: str
) -> tuple[str, Path, str | None]:
    if template is None:
        root = bundled_template_root()
        if (root / ".git").exists():
            if vcs_ref in (None, "HEAD"):  # Copier snapshots the working tree (it does not for a tag)
                refuse_nested_repositories(root)
            return str(root), root, vcs_ref or "HEAD"
        try:  # a wheel: render from the cache git repo, so `update` and `copier update` work later
            src, tag = ensure_cached_template(root)
        except (OSError, subprocess.SubprocessError):
            return str(root), root, vcs_ref  # no git or no writable cache: copy works, update will not
        return src, root, vcs_ref or tag
    local = source_path(template)
    if local.is_dir():
        if not (local / "copier.yml").is_file():
            raise UserError(f"{what}: {template} has no copier.yml")
        return template, local, vcs_ref
    # a remote git URL: let copier fetch it once, then read its copier.yml from the clone
    from copier._vcs import clone, get_repo

    repo = get_repo(template)
    if repo is None:
        raise UserError(f"{what}: {template} is neither a folder nor a git URL")
    workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="redis-rules-template-")))
    (workdir / "template").mkdir()
    try:
        cloned = Path(clone(repo, vcs_ref or "HEAD", location=str(workdir / "template")))
    except Exception as exc:  # plumbum/git: network, unknown host, missing ref; multi-line
        detail = one_line(git_failure(exc), 300)
        raise UserError(f"{what}: cannot fetch {redact_url(template)}: {detail}") from None
    if not (cloned / "copier.yml").is_file():
        raise UserError(f"{what}: {redact_url(template)} has no copier.yml")
    return template, cloned, vcs_ref


# ------------------------------------------------------------ offline git source for wheels


def installed_version() -> str:
    from . import __version__

    return __version__


def installed_tag() -> str:
    """The tag the installed template gets in the cache repo."""
    return f"v{installed_version()}"


def cache_root() -> Path:
    """$REDIS_RULES_CACHE_DIR, else $XDG_CACHE_HOME/redis-rules, else ~/.cache/redis-rules."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return (base / "redis-rules").resolve()


def template_cache_repo() -> Path:
    return cache_root() / "template"


def portable_path(path: Path) -> str:
    """`~/...` for paths under the home folder: teammates' answers files then name the same
    cache repo (copier expands `~` when it reads `_src_path`)."""
    path = path.resolve()
    home = Path.home().resolve()
    try:
        return "~/" + path.relative_to(home).as_posix()
    except ValueError:
        return str(path)


def source_path(src: str) -> Path:
    """A local template source (`/x`, `~/x`, `git+file:///x`, relative `x`) as a path (not resolved)."""
    return Path(src.removeprefix("git+file://")).expanduser()


def is_remote_source(url: str) -> bool:
    """A `_src_path` Copier fetches over the network (a URL or an SSH/shortcut remote), not a folder here."""
    text = url.removeprefix("git+")
    return ("://" in text and not text.startswith("file://")) or text.startswith(("git@", "gh:", "gl:"))


def recorded_source_base(src: str, project: Path) -> Path | None:
    """The folder a relative local `_src_path` is relative to, or None (remote, absolute, or found nowhere).

    Copier records the template path as typed (`copier copy ./redis-rules svc` records `./redis-rules`) and
    reads it back from the current folder; a later `check` or `update` runs anywhere, often in the project
    (pre-commit, CI). Looked up from the current folder first (Copier's reading), then the project folder
    and its parent (where `copier copy` usually ran)."""
    if not src.removeprefix("git+file://") or is_remote_source(src):
        return None
    path = source_path(src)
    if path.is_absolute():
        return None
    for base in (Path.cwd(), project, project.parent):
        with contextlib.suppress(OSError):
            if (base / path / "copier.yml").is_file():
                return base
    return None


def same_source(recorded: str, local: Path) -> bool:
    """Does an answers file's `_src_path` name this local folder?"""
    text = recorded.removeprefix("git+file://")
    if "://" in text or text.startswith("git@"):
        return False
    try:
        return Path(text).expanduser().resolve() == local.resolve()
    except OSError:
        return False


def _git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    return subprocess.run(
        ["git", *_GIT_ID, *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env=git_env(env),
    ).stdout.strip()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
        except ImportError:  # Windows: no lock, the git steps are idempotent anyway
            pass
        yield


# A template version is what a wheel carries (pyproject's force-include, checked equal by tests/test_update.py);
# bytecode pip compiled next to the template's Python files, and tool caches, are not part of it: reinstalling the
# same source must give the same tree, hence the same tag (else `check` would name `v0.2.0+<tree>`).
TEMPLATE_PARTS = ("copier.yml", "templates", "rulesets")
_NOT_TEMPLATE = tuple(
    f":(exclude,glob){pattern}"
    for pattern in ("**/__pycache__/**", "**/*.py[co]", "**/.mypy_cache/**", "**/.ruff_cache/**", "**/.DS_Store")
)


def ensure_cached_template(root: Path | None = None) -> tuple[str, str]:
    """Materialise the installed template into a git repo tagged `v<version>`; (copier src, tag).

    The repo lives in the cache folder and keeps every version installed on this
    machine, one commit each, so `copier update` can rebuild the old version for its
    3-way merge and `--upgrade` finds the newest tag. Same content, same tag: idempotent.
    A different content under an existing version (a local build) gets `v<version>+<tree>`.
    """
    root = root or bundled_template_root()
    repo = template_cache_repo()
    with _locked(cache_root() / "template.lock"):
        if not (repo / ".git").is_dir():
            repo.mkdir(parents=True, exist_ok=True)
            _git("init", "-q", "-b", "main", cwd=repo)
        with tempfile.TemporaryDirectory(prefix="redis-rules-index-") as tmp:
            index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            git_dir = ("--git-dir", str(repo / ".git"), "--work-tree", str(root))
            _git(*git_dir, "add", "-A", "-f", "--", *TEMPLATE_PARTS, *_NOT_TEMPLATE, cwd=root, env=index)
            tree = _git(*git_dir, "write-tree", cwd=root, env=index)
        tags = set(_git("tag", "--list", cwd=repo).split())
        tag = installed_tag()
        for candidate in (tag, f"{tag}+{tree[:10]}"):
            if candidate in tags and _git("rev-parse", f"{candidate}^{{tree}}", cwd=repo) == tree:
                return portable_path(repo), candidate
        if tag in tags:
            tag = f"{tag}+{tree[:10]}"
        parents: list[str] = []
        with contextlib.suppress(subprocess.CalledProcessError):
            parents = ["-p", _git("rev-parse", "--verify", "-q", "HEAD", cwd=repo)]
        commit = _git("commit-tree", tree, *parents, "-m", f"redis-rules template {tag}", cwd=repo)
        _git("update-ref", "HEAD", commit, cwd=repo)
        _git("tag", tag, commit, cwd=repo)
        _git("reset", "-q", "--hard", commit, cwd=repo)  # work tree = HEAD: a clean repo
        return portable_path(repo), tag
