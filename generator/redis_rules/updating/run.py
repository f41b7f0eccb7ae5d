"""The copier update itself: stock `run_update`, errors turned into one-line UserErrors."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any, Literal

from ..compile_cache import compiled_once
from ..gitenv import isolated_git
from ..render import copier_errors


def copier_update(dest: Path, data: dict[str, Any], *, vcs_ref: str, conflict: Literal["inline", "rej"]) -> None:
    """`copier update --defaults --data ... --vcs-ref REF --conflict MODE` on dest (a clean git work tree)."""
    import copier

    with (
        copier_errors("copier update failed", ("copier", "plumbum")),
        contextlib.redirect_stdout(io.StringIO()),
        isolated_git(),
        compiled_once(),
    ):
        copier.run_update(
            str(dest),
            data=data,
            defaults=True,
            overwrite=True,
            quiet=True,
            unsafe=False,
            skip_answered=True,
            vcs_ref=vcs_ref,
            conflict=conflict,
        )
