"""`redis-rules lint`: a static checker for Redis usage in Python (standard `ast`) and TypeScript/JavaScript
(tree-sitter, lint/typescript.py) code; nothing is imported or run.

Public API (used by the CLI, the generated Claude Code hook and tests):

    from redis_rules.lint import lint_paths, lint_source, Finding
    findings = lint_paths([Path("src")])            # policy found from the first path
    findings = lint_source(code, "app/cache.py")    # one module, default policy
"""

from .engine import lint_paths, lint_source
from .model import CHECKS, Finding

__all__ = ["CHECKS", "Finding", "lint_paths", "lint_source"]
