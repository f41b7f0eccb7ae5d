"""The copier update itself: stock `run_update`, errors turned into one-line UserErrors."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path
from typing import Any, Literal

from ..errors import UserError


def copier_update(
    dest: Path, data: dict[str, Any], *, vcs_ref: str, conflict: Literal["inline", "rej"]
) -> None:
    """`copier update --defaults --data ... --vcs-ref REF --conflict MODE` on dest (a clean git work tree)."""
    import copier

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")  # dirty-template and version notes are not user errors
        try:
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
        except ValueError as exc:  # copier: "Validation error for question 'x': msg"
            message = str(exc)
            if "Validation error for question" in message and ":" in message:
                message = message.split(":", 1)[1].strip()
            raise UserError(message) from exc
        except Exception as exc:
            if type(exc).__module__.startswith(("copier", "plumbum")):
                detail = " ".join(str(exc).split())[:300]
                raise UserError(f"copier update failed: {detail}") from exc
            raise
