"""Kinds 4 and 7: the team's files and the machine's faults.

Only what redis-rules wrote is ever replaced: links stay links, marker lines quoted in code fences are
text, line endings are kept, an adopted repo never gains the files adoption left out. A read-only or
full destination, a file where a folder must be, a mount point, SIGTERM: one line, nothing half-written.
Full disks, read-only folders and mount points are real tmpfs mounts (root only; skipped otherwise,
except the RLIMIT_FSIZE variant of the full disk).
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from redis_rules.agent_files import BEGIN_PREFIX, END_LINE
from tests.conftest import ROOT, make_template_repo
from tests.hostile.helpers import assert_refused, committed_project, git, run, tried

ADOPT = ("--defaults", "--data", "package=shop_api")


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every path under root: file bytes, or 'link -> target', or 'dir'."""
    out: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if ".git" in Path(rel).parts:
            continue
        if path.is_symlink():
            out[rel] = f"link -> {os.readlink(path)}"
        elif path.is_dir():
            out[rel] = "dir"
        elif path.is_file():
            out[rel] = path.read_bytes()
    return out


def make_repo(root: Path, files: dict[str, str | bytes]) -> Path:
    repo = root / "repo"
    repo.mkdir(parents=True)
    for rel, content in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (repo / rel).write_bytes(content)
        else:
            (repo / rel).write_text(content, encoding="utf-8")
    return repo


def no_staging_left(*folders: Path) -> None:
    for folder in folders:
        left = [p.name for p in folder.iterdir() if p.name.startswith(".redis-rules-") or ".redis-rules-" in p.name]
        assert not left, left


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "4m", readonly: bool = False) -> Iterator[Path]:
    """A real tmpfs mounted at path (root only), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if readonly else "")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


# ---------------------------------------------------------------- links
def test_claude_md_linked_to_agents_md_stays_a_link(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"AGENTS.md": "# Team rules\n\nBe kind.\n"})
    (repo / "CLAUDE.md").symlink_to("AGENTS.md")
    for attempt in range(2):
        code, out, err = run("new", "--into", str(repo), *ADOPT)
        tried("new")
        assert code == 0, err
        assert (repo / "CLAUDE.md").is_symlink() and os.readlink(repo / "CLAUDE.md") == "AGENTS.md"
        text = (repo / "AGENTS.md").read_text(encoding="utf-8")
        assert text.startswith("# Team rules\n\nBe kind.\n") and text.count(BEGIN_PREFIX) == 1, attempt
        assert "link  CLAUDE.md -> AGENTS.md" in out


def test_a_link_to_a_file_of_the_project_is_written_through(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"docs/assistant.md": "# Shared\n"})
    (repo / "CLAUDE.md").symlink_to("docs/assistant.md")
    code, _, err = run("new", "--into", str(repo), *ADOPT, "--data", "agents=[claude]")
    tried("new")
    assert code == 0, err
    assert (repo / "CLAUDE.md").is_symlink()
    text = (repo / "docs/assistant.md").read_text(encoding="utf-8")
    assert text.startswith("# Shared\n") and text.count(BEGIN_PREFIX) == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda repo, out: (repo / "CLAUDE.md").symlink_to(out / "elsewhere.md"), "outside"),
        (lambda repo, out: (repo / "CLAUDE.md").symlink_to("missing.md"), "does not exist"),
        (lambda repo, out: (repo / ".claude").symlink_to(out), "outside"),
        (lambda repo, out: (repo / ".claude").write_text("x", encoding="utf-8"), ".claude: is a file"),
        (lambda repo, out: os.mkfifo(repo / "CLAUDE.md"), "is a FIFO"),
        (lambda repo, out: (repo / ".redis-rules.yml").mkdir(), "is a folder"),
        (
            lambda repo, out: (
                (repo / ".claude" / "hooks").mkdir(parents=True)
                or (repo / ".claude/hooks/redis_rules_hook.py").symlink_to("/dev/zero")
            ),
            "outside",
        ),
    ],
    ids=["link-outside", "dangling-link", "claude-dir-link-outside", "claude-is-a-file", "fifo", "folder", "device"],
)
def test_paths_that_cannot_be_written_are_refused_before_any_write(tmp_path: Path, make, message: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "elsewhere.md").write_text("# not yours\n", encoding="utf-8")
    repo = make_repo(tmp_path, {"README.md": "# r\n", "docs/x.md": "x\n"})
    make(repo, outside)
    before, before_outside = snapshot(repo), snapshot(outside)
    code, out, err = run("new", "--into", str(repo), *ADOPT)
    tried("new")
    assert_refused(code, out, err)
    assert message in err and "nothing was written" in err, err
    assert snapshot(repo) == before and snapshot(outside) == before_outside
    no_staging_left(repo, tmp_path)


# ---------------------------------------------------------------- marker lines, line endings
QUOTED = (
    "# Team\n\nHow our generator marks its section:\n\n```markdown\n"
    f"{BEGIN_PREFIX} (example) -->\nwhatever\n{END_LINE}\n```\n\n~~~\n{END_LINE}\n~~~\n"
)


def test_marker_lines_quoted_in_code_fences_are_left_alone(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"CLAUDE.md": QUOTED})
    code, _, err = run("new", "--into", str(repo), *ADOPT)
    tried("new")
    assert code == 0, err
    text = (repo / "CLAUDE.md").read_text(encoding="utf-8")
    assert text.startswith(QUOTED)
    assert text.count(BEGIN_PREFIX) == 2 and text.rstrip().endswith(END_LINE)
    first = (repo / "CLAUDE.md").read_bytes()
    code, _, _ = run("new", "--into", str(repo), *ADOPT)
    assert code == 0 and (repo / "CLAUDE.md").read_bytes() == first


def test_crlf_files_stay_crlf(tmp_path: Path) -> None:
    team = "# Team\r\n\r\nWindows line endings.\r\n"
    repo = make_repo(tmp_path, {"CLAUDE.md": team.encode(), "AGENTS.md": (team + "no newline at end").encode()})
    for _ in range(2):
        code, _, err = run("new", "--into", str(repo), *ADOPT, "--data", "default_ttl=120")
        tried("new")
        assert code == 0, err
        for rel in ("CLAUDE.md", "AGENTS.md"):
            data = (repo / rel).read_bytes()
            assert data.startswith(team.encode()) and BEGIN_PREFIX.encode() in data
            assert data.count(b"\n") == data.count(b"\r\n"), rel  # no bare LF anywhere


# ---------------------------------------------------------------- adoption's promise on update
@pytest.mark.slow
@pytest.mark.parametrize("with_modules", [False], ids=["rules"])  # `modules`: same path, 20 s more
def test_update_of_an_adopted_repo_adds_nothing_adoption_left_out(tmp_path: Path, with_modules: bool) -> None:
    template = make_template_repo(tmp_path / "tpl", "v1.0.0")
    repo = make_repo(tmp_path, {"setup.py": "from setuptools import setup\nsetup()\n", "shop_api/app.py": "x = 1\n"})
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "team")
    extra = ("--with-modules",) if with_modules else ()
    code, _, err = run("new", "--into", str(repo), "--template", str(template), *ADOPT, *extra)
    assert code == 0, err
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "adopt")
    adopted = set(snapshot(repo))
    code, out, err = run("update", str(repo), "--set", "default_ttl=900", "--set", "agents=[claude, cursor]")
    tried("update")
    assert code == 0, err
    now = set(snapshot(repo))
    assert not (repo / "pyproject.toml").exists() and not (repo / ".pre-commit-config.yaml").exists()
    assert not (repo / ".github/workflows").exists() and not (repo / "scripts").exists()
    assert (repo / "tests/__init__.py").exists() == with_modules
    assert (repo / "shop_api/__init__.py").exists() == with_modules
    added = now - adopted
    # only what the new answer (agents += cursor) renders: its rule file and its hook file
    assert added <= {".cursor", ".cursor/rules", ".cursor/rules/redis.mdc", ".cursor/hooks.json"}, added
    assert "| `TTL.default` | 900 |" in (repo / "CLAUDE.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------- machine faults
def test_read_only_destination(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", readonly=True) as ro:
        code, out, err = run("new", str(ro / "proj"), "--defaults")
        tried("new")
        assert_refused(code, out, err, "DEST")
        assert "Read-only file system" in err and "nothing was written" in err, err
        code, out, err = run("new", "--into", str(ro), "--defaults")  # staged beside it, refused when placed
        tried("new")
        assert_refused(code, out, err, "cannot write it")
        assert "Read-only file system" in err and "nothing was changed" in err, err
        assert list(ro.iterdir()) == []
    no_staging_left(tmp_path)


def test_full_disk_while_rendering(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "full", size="96k") as full:
        code, out, err = run("new", str(full / "proj"), "--defaults")
        tried("new")
        assert_refused(code, out, err, "DEST")
        assert "No space left on device" in err
        assert list(full.iterdir()) == []  # no project, no staging folder


def test_full_disk_with_rlimit_fsize(tmp_path: Path) -> None:
    """Without root: the same failure through RLIMIT_FSIZE (writes past 16 KiB fail with EFBIG). The
    template is a plain folder, so no git child process (which would die of SIGXFSZ) is involved."""
    plain = tmp_path / "template"
    plain.mkdir()
    shutil.copy2(ROOT / "copier.yml", plain / "copier.yml")
    for part in ("templates", "rulesets"):
        shutil.copytree(ROOT / part, plain / part)
    code = (
        "import resource, signal, sys\n"
        "from redis_rules import cli\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))\n"
        f"sys.exit(cli.main(['new', {str(tmp_path / 'proj')!r}, '--defaults', '--template', {str(plain)!r}]))\n"
    )
    env = {**os.environ, "REDIS_RULES_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    tried("new")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "File too large" in proc.stderr, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) in (["template"], ["cache", "template"])
    assert resource.getrlimit(resource.RLIMIT_FSIZE)[0] == resource.RLIM_INFINITY  # the test process is unlimited


def test_into_a_mount_point_leaves_no_empty_folders(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "mnt", size="16m") as mnt:
        (mnt / "CLAUDE.md").write_text("# mine\n", encoding="utf-8")
        code, _, err = run("new", "--into", str(mnt), *ADOPT)
        tried("new")
        assert code == 0, err
        assert (mnt / ".redis-rules.yml").is_file() and (mnt / ".claude/hooks/redis_rules_hook.py").is_file()
        no_staging_left(mnt, tmp_path)


def test_a_subfolder_on_another_filesystem_is_written_by_copy(tmp_path: Path) -> None:
    """`.claude` is a mount point: the rename fails with EXDEV and the file is copied beside, then renamed."""
    repo = make_repo(tmp_path, {"CLAUDE.md": "# mine\n"})
    with tmpfs(repo / ".claude", size="4m"):
        code, _, err = run("new", "--into", str(repo), *ADOPT)
        tried("new")
        assert code == 0, err
        assert (repo / ".claude/settings.json").is_file()
        mode = (repo / ".claude/hooks/redis_rules_hook.py").stat().st_mode
        assert mode == (repo / ".redis-rules.yml").stat().st_mode  # copied with the rendered mode, not 0600
        assert not [p for p in (repo / ".claude").rglob("*") if "redis-rules-tmp" in p.name]


def test_a_failure_half_way_puts_everything_back(tmp_path: Path) -> None:
    """A read-only `.github` (mounted): the copilot file cannot be written after CLAUDE.md was merged
    and `.claude/` created; everything is rolled back, byte for byte."""
    repo = make_repo(tmp_path, {"CLAUDE.md": "# mine\n", "AGENTS.md": "# agents\n"})
    (repo / ".github").mkdir()
    before = snapshot(repo)
    with tmpfs(repo / ".github", readonly=True):
        code, out, err = run("new", "--into", str(repo), *ADOPT, "--data", "agents=[claude, agents_md, copilot]")
        tried("new")
        assert_refused(code, out, err, ".github")
        assert "nothing was changed" in err
        assert snapshot(repo) == {**before}
    no_staging_left(repo, tmp_path)


@pytest.mark.slow
def test_update_on_a_full_disk_is_one_line(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", size="2m") as disk:
        proj = committed_project(disk / "proj", make_template_repo(tmp_path / "tpl", "v1.0.0"))
        filler = disk / "filler"
        with contextlib.suppress(OSError), open(filler, "wb") as handle:
            while True:
                handle.write(b"\0" * 65536)
        code, out, err = run("update", str(proj), "--set", "default_ttl=900", "--set", "modules=[cache, locks]")
        tried("update")
        assert_refused(code, out, err)
        assert "No space left on device" in err or "git" in err, err


@pytest.mark.slow
def test_an_update_whose_write_is_refused_half_way_is_undone(tmp_path: Path) -> None:
    """Trial 20: `chattr +i keys.py; redis-rules update --set default_ttl=120` exited 2 with the policy file and
    AGENTS.md at 120, the answers still at the old TTL and the team's text around CLAUDE.md's markers gone ("git
    reset --hard ... returns to the last commit"). A write refused half-way is undone, as an interrupt is."""
    proj = committed_project(
        tmp_path / "proj", make_template_repo(tmp_path / "tpl", "v1.0.0"), "agents=[claude, agents_md]"
    )
    claude = proj / "CLAUDE.md"
    claude.write_text("# Team notes above\n\n" + claude.read_text(encoding="utf-8") + "\n## Team notes below\n")
    git(proj, "commit", "-qam", "team notes")
    before = snapshot(proj)
    keys = next(p for p in proj.rglob("keys.py") if ".git" not in p.parts)
    if subprocess.run(["chattr", "+i", str(keys)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i needs root and a filesystem that supports it")
    try:
        code, out, err = run("update", str(proj), "--set", "default_ttl=120")
        tried("update")
    finally:
        subprocess.run(["chattr", "-i", str(keys)], check=False)
    assert_refused(code, out, err, "keys.py")
    assert "the update was undone, nothing changed" in err
    assert snapshot(proj) == before
    assert git(proj, "status", "--porcelain") == ""


def test_an_unreachable_git_template_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Trial 20: `--template git@host:x/x.git` said only "cannot fetch ...: and the repository exists." (the last
    line of git's hint); the line now gives git's reasons (ssh's, fatal:)."""
    from redis_rules.servers import free_port

    monkeypatch.setenv("GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o StrictHostKeyChecking=no")
    monkeypatch.setenv("REDIS_RULES_CACHE_DIR", str(tmp_path / "cache"))
    template = f"ssh://git@127.0.0.1:{free_port()}/x.git"
    code, out, err = run("new", str(tmp_path / "svc"), "--defaults", "--template", template)
    assert_refused(code, out, err, "--template")
    assert "fatal:" in err and not err.rstrip().endswith("and the repository exists."), err
    assert not (tmp_path / "svc").exists()


# ---------------------------------------------------------------- names that are not UTF-8, SIGTERM
def test_non_utf8_names_print_on_a_strict_utf8_stdout(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "REDIS_RULES_CACHE_DIR": str(tmp_path / "cache")}
    base = os.fsencode(tmp_path)
    dest = base + b"/proj-\xff\xfe"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "redis_rules",
            "new",
            dest,
            "--defaults",
            "--data",
            "package=proj",
            "--data",
            "modules=[cache]",
        ],
        capture_output=True,
        env=env,
        timeout=300,
    )
    tried("new")
    assert proc.returncode == 0, proc.stderr
    assert b"proj-\\xff\\xfe" in proc.stdout
    # an untracked file with such a name, listed in update's one-line refusal
    git_dir = dest
    git(git_dir, "init", "-q")
    git(git_dir, "add", "-A")
    git(git_dir, "commit", "-qm", "r")
    Path(os.fsdecode(dest + b"/caf\xe9.txt")).write_text("x", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "redis_rules", "update", dest], capture_output=True, env=env, timeout=300
    )
    tried("update")
    assert proc.returncode == 2 and proc.stderr.count(b"\n") == 1, proc.stderr
    assert b"caf" in proc.stderr and b"Traceback" not in proc.stderr


def _wait_for(predicate, timeout: float = 60.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.005)
    return False


def test_ctrl_c_while_the_tool_loads_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    """Trial 14: Ctrl-C in the first tenths of a second (the verb's modules importing: copier, tree-sitter)
    printed a KeyboardInterrupt traceback. Both windows now end with the CLI's one line and exit 130: while the
    console script imports the CLI, and while the CLI imports the verb and parses the line."""
    import types

    from redis_rules import cli, entry

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert cli.main(["lint", "."]) == 130
    loading = types.ModuleType("redis_rules.cli")
    loading.__getattr__ = interrupted  # type: ignore[method-assign]  # `from .cli import main` is cut short
    monkeypatch.setitem(sys.modules, "redis_rules.cli", loading)
    assert entry.main() == 130
    err = capsys.readouterr().err
    assert err == "redis-rules: interrupted; nothing half-written was left behind\n" * 2


def test_ctrl_c_swallowed_by_a_finalizer_still_ends_with_exit_130(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    """Ctrl-C near the end of an update was lost (exit 0, nothing said) when its KeyboardInterrupt was raised
    inside a finalizer: Python reports an exception in __del__ and drops it. A real SIGINT is delivered here
    while a __del__ runs, after the verb did its work: exit 130, and the line says the work had finished."""
    from redis_rules import cli
    from redis_rules.commands import lint

    class Finalizer:
        def __del__(self) -> None:
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(100_000):  # the handler runs here, inside __del__
                pass

    def verb(args: object) -> int:
        Finalizer()  # collected at once: the interrupt is raised in its __del__ and dropped
        return 0

    monkeypatch.setattr(lint, "run", verb)
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: None)  # Python's "Exception ignored" note
    # as in a terminal: a process started in the background of a non-interactive shell (CI) ignores SIGINT, and
    # a run whose SIGINT is ignored or handled by its embedder is left alone (see cli._sigterm_unwinds)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        assert cli.main(["lint", str(tmp_path)]) == 130
        err = capsys.readouterr().err
        assert err == "redis-rules: interrupted; `redis-rules lint` had already finished, and what it wrote stands\n"
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
        monkeypatch.setattr(lint, "run", lambda args: 0)
        assert cli.main(["lint", str(tmp_path)]) == 0  # the next run starts with no interrupt noted
    finally:
        signal.signal(signal.SIGINT, previous)


def test_sigterm_while_rendering_removes_the_staging_folder(tmp_path: Path) -> None:
    env = {**os.environ, "REDIS_RULES_CACHE_DIR": str(tmp_path / "cache")}
    parent = tmp_path / "out"
    parent.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "redis_rules", "new", str(parent / "proj"), "--defaults"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    tried("new")
    staged = _wait_for(lambda: any(p.name.startswith(".redis-rules-") for p in parent.iterdir()))
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    if not staged and proc.returncode == 0:
        pytest.skip("the render finished before SIGTERM could be sent")
    assert proc.returncode == 143, err
    assert err.decode().count("\n") == 1 and "terminated" in err.decode()
    assert list(parent.iterdir()) == []


@pytest.mark.slow
def test_sigterm_during_update_removes_temporary_clones(tmp_path: Path) -> None:
    proj = committed_project(tmp_path / "proj", make_template_repo(tmp_path / "tpl", "v1.0.0"))
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "REDIS_RULES_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "redis_rules", "update", str(proj), "--set", "default_ttl=900"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    tried("update")
    started = _wait_for(lambda: any(tmp.glob("redis-rules-run-*/redis-rules-update-*")))
    time.sleep(0.3)  # inside the template clone / copier run
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert started
    if proc.returncode == 0:
        pytest.skip("the update finished before SIGTERM could be sent")
    assert proc.returncode == 143, err
    assert not [p.name for p in tmp.iterdir() if p.name.startswith(("redis-rules-", "copier"))]


def test_sigterm_right_after_the_staging_mkdir_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window the SIGTERM test above can hit only by chance on a loaded machine: Terminated raised the
    moment the staging folder exists, before render_project holds its name (tempfile.mkdtemp had not
    returned). Nothing may be left next to dest."""
    from redis_rules import render
    from redis_rules.errors import Terminated

    real_mkdir = os.mkdir

    def mkdir_then_terminated(path: Any, mode: int = 0o777, *args: Any, **kwargs: Any) -> None:
        real_mkdir(path, mode, *args, **kwargs)
        if os.path.basename(os.fspath(path)).startswith(".redis-rules-"):
            raise Terminated()

    parent = tmp_path / "out"
    parent.mkdir()
    monkeypatch.setattr(os, "mkdir", mkdir_then_terminated)
    with pytest.raises(Terminated):
        render.render_project(str(ROOT), parent / "proj", {})
    assert list(parent.iterdir()) == []


def test_yaml_inputs_from_a_fifo_never_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A FIFO as `--policy` or `--data-file` (trial 13: `audit --policy FIFO` hung until killed): nobody writing
    is a one-line error once STREAM_WAIT passes; a writer that comes late is read whole."""
    import threading

    from redis_rules import safe_yaml

    monkeypatch.setattr(safe_yaml, "STREAM_WAIT", 1.0)
    fifo = tmp_path / "policy.yml"
    os.mkfifo(fifo)
    started = time.monotonic()
    code, out, err = run("audit", "--policy", str(fifo), "--url", "redis://127.0.0.1:1/0")
    tried("audit")
    assert_refused(code, out, err, str(fifo))
    assert "did not reach its end within 1 s" in err and time.monotonic() - started < 10

    def write_late() -> None:
        time.sleep(0.3)
        fifo.write_text("default_ttl: 1800\n", encoding="utf-8")

    writer = threading.Thread(target=write_late)
    writer.start()
    code, out, err = run("new", str(tmp_path / "p"), "--defaults", "--data-file", str(fifo), "--pretend")
    writer.join()
    tried("new")
    assert code == 0, err
