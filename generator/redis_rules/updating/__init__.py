"""`redis-rules update`: regenerate a rendered project with copier's 3-way merge.

One module per concern:
- preflight: DEST is a clean git work tree with an answers file (checked before anything is written);
- source: which template (recorded `_src_path`, or the installed one offline) and which ref;
- answers: `--set` values validated with the template's own validators;
- run: the copier update itself (in place, or in a throwaway clone for `--pretend`);
- conflicts: git's unmerged state, inline markers and `.rej` files after the merge.
"""

from .flow import UpdateOutcome, update_project

__all__ = ["UpdateOutcome", "update_project"]
