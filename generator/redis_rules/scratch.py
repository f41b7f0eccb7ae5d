"""Scratch folders that are gone afterwards, even when an interrupt cut the work short.

Ctrl-C reaches the git processes Copier started as well as us, but they may still be writing into the folder
while it is removed: `TemporaryDirectory` then raised "Directory not empty (.git)", and that OSError replaced
the KeyboardInterrupt (trial 18: `update` interrupted exited 2, "update failed", instead of 130).
`remove_tree` also removes the run's private temporary folder (cli.py), after SIGTERM killed the children.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A new temporary folder, removed with everything in it when the block ends (remove_tree)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        remove_tree(path)


def remove_tree(path: Path, budget: float = 3.0, pause: float = 0.05) -> None:
    """Remove `path`. When it is back or not yet gone (a process that outlived its parent's interrupt still
    writes into it), remove it again until it has stayed gone for `pause` seconds, for at most `budget` seconds.
    Never raises: the exception that ended the block is the one to report."""
    shutil.rmtree(path, ignore_errors=True)
    if not path.exists():
        return  # the usual case: nobody else writes there
    end = time.monotonic() + budget
    while time.monotonic() < end:
        time.sleep(pause)
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            time.sleep(pause)
            if not path.exists():
                return
