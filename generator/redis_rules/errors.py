"""Errors a user can cause. The CLI prints them as one line and exits 2 (or 1)."""


class UserError(Exception):
    """Bad input: printed as `redis-rules: error: <message>`, exit code 2."""

    exit_code = 2


class FindingsError(UserError):
    """Work was done but found problems (conflicts, violations): exit code 1."""

    exit_code = 1
