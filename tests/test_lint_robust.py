"""Hostile and careless input to `lint`: special files, huge files, symlink loops, deep nesting, file names
that are not UTF-8, and internal errors. Never a hang, never a traceback, never exit 1 for a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from redis_rules.commands import lint as lint_command
from redis_rules.lint import checks, lint_paths
from redis_rules.lint.sources import MAX_BYTES
from tests.test_lint_cli import run

BAD = 'import redis\nr = redis.Redis()\nr.keys("*")\n'
ROOT = Path(__file__).resolve().parents[1]


def cli(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real command in a child process (bytes out, so undecodable output would show); a hang fails the
    test through the timeout instead of blocking the suite."""
    environ = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT / "generator"), "HOME": str(cwd)}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "redis_rules", "lint", *args],
        cwd=cwd,
        capture_output=True,
        env=environ,
        timeout=120,
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "ok.py").write_text(BAD)
    return tmp_path


def _codes(found) -> list[tuple[str, str]]:
    return sorted((f.path.rsplit("/", 1)[-1], f.code) for f in found)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_named_like_source_is_reported_not_read(folder, monkeypatch):
    os.mkfifo(folder / "pipe.py")
    os.mkfifo(folder / "pipe.ts")
    monkeypatch.chdir(folder)
    found = lint_paths([folder])
    assert _codes(found) == [("ok.py", "RR007"), ("pipe.py", "E902"), ("pipe.ts", "E902")]
    assert all("not a regular file" in f.message for f in found if f.code == "E902")
    proc = cli(folder, "pipe.py")  # named explicitly, through the real command
    assert proc.returncode == 1 and b"E902 cannot read file: not a regular file" in proc.stdout


def test_symlink_to_a_device_and_symlink_loops(folder, monkeypatch):
    os.symlink("/dev/zero", folder / "zero.py")
    os.symlink(folder / "b.py", folder / "a.py")
    os.symlink(folder / "a.py", folder / "b.py")
    (folder / "sub").mkdir()
    os.symlink(folder, folder / "sub" / "up")  # a folder loop: not followed
    monkeypatch.chdir(folder)
    found = lint_paths([folder])
    assert _codes(found) == [("a.py", "E902"), ("b.py", "E902"), ("ok.py", "RR007"), ("zero.py", "E902")]
    messages = {f.path: f.message for f in found}
    assert "not a regular file" in messages["zero.py"]
    assert "symbolic links" in messages["a.py"]


def test_file_over_the_size_limit_is_skipped_with_a_reason(folder, monkeypatch):
    big = folder / "generated.py"
    with open(big, "w") as fh:
        fh.write(BAD)
        fh.write("#" * (MAX_BYTES + 1) + "\n")
    monkeypatch.chdir(folder)
    (finding,) = [f for f in lint_paths([folder]) if f.path == "generated.py"]
    assert finding.code == "E902" and "over the 4,194,304-byte limit" in finding.message


def test_deep_nesting_is_one_finding_and_other_files_keep_theirs(folder, monkeypatch):
    chain = " + ".join(['"k:"'] * 3000)
    (folder / "deep.py").write_text(f"import redis\nr = redis.Redis()\nr.get({chain})\n")
    (folder / "deep.ts").write_text(
        f'import Redis from "ioredis";\nconst r = new Redis();\nr.get({chain});\n'
        + "const y = a"
        + ".b" * 3000
        + ';\ny.keys("*");\n'
    )
    monkeypatch.chdir(folder)
    found = lint_paths([folder])
    assert ("ok.py", "RR007") in _codes(found)
    (deep,) = [f for f in found if f.path == "deep.py"]
    assert deep.code == "E999" and "nested too deeply" in deep.message
    assert {f.code for f in found if f.path == "deep.ts"} == {
        "RR001",
        "RR007",
    }  # tree-sitter copes; we walk iteratively
    long = next(f for f in found if f.path == "deep.ts" and f.code == "RR007")
    assert len(long.message) < 300  # the receiver is shortened in the message


def test_non_utf8_file_names_on_a_strict_utf8_stdout(folder):
    name = b"caf\xe9.py"  # Latin-1, not UTF-8
    with open(os.path.join(os.fsencode(folder), name), "w") as fh:
        fh.write(BAD)
    env = {"PYTHONIOENCODING": "utf-8:strict", "LC_ALL": "C.UTF-8"}
    text = cli(folder, ".", env=env)
    assert text.returncode == 1 and b"Traceback" not in text.stderr
    assert b"caf\\xe9.py:3:3: RR007" in text.stdout
    text.stdout.decode("utf-8")  # strict: every byte written is UTF-8
    for fmt in ("json", "sarif"):
        proc = cli(folder, ".", "--format", fmt, env=env)
        assert proc.returncode == 1 and b"Traceback" not in proc.stderr
        data = json.loads(proc.stdout.decode("utf-8"))
        if fmt == "json":
            assert "caf\\xe9.py" in {d["path"] for d in data}
        else:
            uris = {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in data["runs"][0]["results"]
            }
            assert "caf%E9.py" in uris  # percent-encoded bytes: a valid URI for the real file


def test_internal_error_is_exit_3_with_one_line_and_the_other_findings(folder, monkeypatch, capsys, tmp_path_factory):
    """A check that crashes on one file (injected: no real input is known to crash it) exits 3, not 1."""
    (folder / "boom.py").write_text(BAD)
    real_run = checks.Checker.run

    def run_or_crash(self):
        if self.info.path.endswith("boom.py"):
            raise ValueError("injected fault")
        return real_run(self)

    monkeypatch.setattr(checks.Checker, "run", run_or_crash)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.chdir(folder)
    code, out, err = run(".", capsys=capsys)
    assert code == 3
    assert out.startswith("ok.py:3:3: RR007")
    line = err.strip().splitlines()[-1]  # after the summary ("Found 1 finding in 1 file.")
    assert [x for x in err.splitlines() if x.startswith("redis-rules:")] == [line]
    assert line.startswith("redis-rules: internal error in lint while checking boom.py; traceback written to ")
    written = Path(line.rsplit(" ", 1)[-1]).read_text()
    assert "ValueError: injected fault" in written and "Traceback" not in err


def test_unexpected_error_outside_the_files_is_exit_3(folder, monkeypatch, capsys, tmp_path_factory):
    def broken(findings):
        raise RuntimeError("injected")

    monkeypatch.setattr(lint_command, "format_text", broken)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.chdir(folder)
    code, _, err = run(".", capsys=capsys)
    assert code == 3 and len(err.strip().splitlines()) == 1 and "(RuntimeError)" in err


def test_undecodable_source_and_binary_files(folder, monkeypatch):
    (folder / "latin.py").write_bytes(b"x = '\xe9'\n")
    (folder / "bin.ts").write_bytes(b"\x00\xff\xfe")
    (folder / "latin.ts").write_bytes(b"const x = '\xe9';\n")
    monkeypatch.chdir(folder)
    found = {f.path: f for f in lint_paths([folder])}
    assert found["latin.py"].code == "E902" and "cannot decode" in found["latin.py"].message
    assert found["bin.ts"].code == "E902"
    assert "cannot decode as utf-8:" in found["latin.ts"].message  # not "utf-8-sig" (the BOM is optional)


ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0  # root lists and reads every folder: simulated then


def _lock(folder: Path, monkeypatch) -> None:
    """Make `folder` unlistable: chmod 000, or (as root, whom chmod does not stop) os.scandir refusing it."""
    if not ROOT_USER:
        folder.chmod(0)
        return
    real = os.scandir

    def scandir(path=".", *args):
        if os.path.abspath(os.fspath(path)) == str(folder):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path, *args)

    monkeypatch.setattr(os, "scandir", scandir)


def test_a_folder_that_cannot_be_listed_is_a_finding_not_skipped(folder, monkeypatch, capsys):
    """os.walk skipped a folder it could not list: `lint` printed "All checks passed." (CI green) over code it
    never read. Found by the fresh-user trial."""
    locked = folder / "only" / "locked"
    locked.mkdir(parents=True)
    (locked / "bad.py").write_text(BAD)
    (folder / "ok.py").write_text("x = 1\n")
    monkeypatch.chdir(folder)
    _lock(locked, monkeypatch)
    try:
        code, out, err = run("only", capsys=capsys)
    finally:
        locked.chmod(0o755)
    assert code == 1, err
    assert out.strip() == "only/locked:1:1: E902 cannot list folder: Permission denied"


@pytest.mark.skipif(ROOT_USER or not hasattr(os, "geteuid"), reason="root can look into a chmod 000 folder")
def test_a_path_inside_a_folder_that_cannot_be_entered_is_one_line(folder, monkeypatch, capsys):
    """`lint locked/a.py` was an internal error (PermissionError from Path.exists and the policy lookup)."""
    locked = folder / "locked"
    locked.mkdir()
    (locked / "a.py").write_text(BAD)
    monkeypatch.chdir(folder)
    locked.chmod(0)
    try:
        code, out, err = run("locked/a.py", capsys=capsys)
        code_dir, out_dir, _ = run("locked", capsys=capsys)
    finally:
        locked.chmod(0o755)
    assert code == 2 and err.strip() == "redis-rules: error: lint: cannot access locked/a.py: Permission denied"
    assert code_dir == 1 and "locked:1:1: E902 cannot list folder: Permission denied" in out_dir


def test_the_policy_lookup_passes_over_a_folder_it_cannot_look_into(tmp_path, monkeypatch):
    from redis_rules.policy import POLICY_FILE, policy_file_above

    (tmp_path / POLICY_FILE).write_text("")
    inner = tmp_path / "locked" / "deeper"
    inner.mkdir(parents=True)
    real = Path.is_file

    def is_file(self):
        if self.parent == inner.parent:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "is_file", is_file)
    assert policy_file_above(inner) == tmp_path / POLICY_FILE


def test_a_symlink_loop_named_on_the_command_line_is_a_finding(folder, monkeypatch, capsys):
    """`lint l1` (l1 -> l2 -> l1) was an internal error: Path.resolve raises RuntimeError on a loop."""
    os.symlink("l2", folder / "l1")
    os.symlink("l1", folder / "l2")
    monkeypatch.chdir(folder)
    code, out, _ = run("l1", capsys=capsys)
    assert code == 1 and out.startswith("l1:1:1: E902 cannot read file:") and "symbolic links" in out


def test_stdin_is_read_as_bytes_bounded_like_a_file(folder):
    """`lint -` read text: binary input was "E999 SyntaxError: 'utf-8' codec can't encode..." and a 5 MB stdin
    was linted whole, where a file that size is skipped."""
    environ = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT / "generator"), "HOME": str(folder)}
    command = [sys.executable, "-m", "redis_rules", "lint", "-"]
    for data, message in (
        (b"\xff\xfe\xae binary", b"E902 cannot read stdin: cannot decode as utf-8"),
        (b"#" * (MAX_BYTES + 10), b"E902 cannot read stdin: over the 4,194,304-byte limit"),
        (BAD.encode(), b"RR007"),
    ):
        proc = subprocess.run(command, input=data, cwd=folder, capture_output=True, env=environ, timeout=120)
        assert proc.returncode == 1 and message in proc.stdout and not proc.stderr.startswith(b"Trace"), proc
