"""`redis-rules audit`: a read-only check of a live keyspace against the project policy.

Modules: ``connect`` (URL, redaction, timeouts, errors), ``wire`` (RESP on the socket),
``scanner`` (SCAN walk, pipelined TYPE/PTTL, rate limit, sampling), ``checks`` (policy
checks, key-format matcher), ``report`` (aggregation, text and JSON).
"""

from .audit import AuditOptions, run_audit

__all__ = ["AuditOptions", "run_audit"]
