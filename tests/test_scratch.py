"""Scratch folders: removed even while a child process that outlived an interrupt still writes into them."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from redis_rules.scratch import scratch_dir

# writes files into a .git folder under argv[1] for 0.4 s, as a git process Copier started keeps writing into its
# clone after Ctrl-C reached us: new files and one level of new folders, never the folders above (as git)
WRITER = """
import os, sys, time
root, end, n = sys.argv[1], time.monotonic() + 0.4, 0
os.makedirs(os.path.join(root, ".git", "objects"))
while time.monotonic() < end:
    n += 1
    folder = os.path.join(root, ".git", "objects", str(n % 7))
    try:
        if not os.path.isdir(folder):
            os.mkdir(folder)
        open(os.path.join(folder, str(n)), "w").close()
    except OSError:
        pass
"""


def test_an_interrupted_block_reports_the_interrupt_and_leaves_no_folder() -> None:
    """Trial 18: `update` interrupted with SIGINT exited 2 ("update failed: Directory not empty (.git)"): the
    temporary folder's cleanup raised while a git process still wrote into it, and that replaced the interrupt."""
    with pytest.raises(KeyboardInterrupt):
        with scratch_dir("rr-scratch-test-") as path:
            child = subprocess.Popen([sys.executable, "-c", WRITER, str(path)])
            deadline = time.monotonic() + 10
            while not (path / ".git").exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            raise KeyboardInterrupt
    child.wait(timeout=10)
    assert not path.exists()


def test_a_block_that_ends_normally_leaves_no_folder(tmp_path: Path) -> None:
    with scratch_dir("rr-scratch-test-") as path:
        (path / "a" / "b").mkdir(parents=True)
        (path / "a" / "b" / "c").write_text("x")
    assert not path.exists()
