"""Git's repository-local environment, kept away from every git that redis-rules runs.

Git exports these to its hooks (`git rev-parse --local-env-vars`). A pre-commit hook running `redis-rules check`
for `git commit -a` gets an absolute `GIT_INDEX_FILE` (the commit's index lock): a git run for the template, or
by Copier, that inherits it writes the template's files into the user's commit (trial 16: "invalid object ...
for 'rulesets/10-keys.yml'"). Every git redis-rules runs names its repository by its working folder instead."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

LOCAL_ENV_VARS = (
    *("GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT"),
    *("GIT_OBJECT_DIRECTORY", "GIT_DIR", "GIT_WORK_TREE", "GIT_IMPLICIT_WORK_TREE", "GIT_GRAFT_FILE"),
    *("GIT_INDEX_FILE", "GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_PREFIX"),
    *("GIT_INTERNAL_SUPER_PREFIX", "GIT_SHALLOW_FILE", "GIT_COMMON_DIR"),
)


def git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without git's repository-local variables, plus ``extra``: the `env=` of a git
    subprocess."""
    env = {k: v for k, v in os.environ.items() if k not in LOCAL_ENV_VARS}
    env.update(extra or {})
    return env


@contextlib.contextmanager
def isolated_git() -> Iterator[None]:
    """Within: git's repository-local variables are unset, for in-process Copier (whose git runs through plumbum,
    which keeps its own copy of the environment taken at import). Both are restored on exit."""
    saved = {k: os.environ.pop(k) for k in LOCAL_ENV_VARS if k in os.environ}
    plumbum = sys.modules.get("plumbum")
    try:
        if plumbum is None:
            yield
            return
        with plumbum.local.env():  # restores plumbum's copy on exit
            for k in LOCAL_ENV_VARS:
                plumbum.local.env.pop(k, None)
            yield
    finally:
        os.environ.update(saved)
