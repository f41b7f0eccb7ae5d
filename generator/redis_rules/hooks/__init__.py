"""Assistant hooks: the shell guard (shell), lint gates (gate), the session summary (session), read-only
allowlists (allowlist) and the per-assistant event formats (events). Run through `redis-rules hook`."""
