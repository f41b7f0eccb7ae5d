"""redis-rules: project-specific Redis rules, modules and checks for AI-assisted codebases."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("redis-rules")
except PackageNotFoundError:  # running from a checkout without install
    __version__ = "0.0.0"
