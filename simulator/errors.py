"""One family of errors for the whole project.

`UserError` and its subclasses mean the user asked for something impossible; the CLI
prints their message as one line and exits non-zero. Anything else is a bug and keeps
its traceback.
"""


class UserError(Exception):
    """Bad input from the user: the message says what is wrong and how to fix it."""


class ConfigError(UserError):
    """An impossible hardware or run configuration."""


class WorkloadError(UserError):
    """A workload or model that cannot be run (unknown name, bad shapes, NaN weights)."""


class FormatError(UserError):
    """A file or encoded matrix that is missing, corrupt or violates its format."""


class ResourceError(UserError):
    """A run whose estimated memory or time is beyond the stated limits."""


class DeadlockError(RuntimeError):
    """The simulated hardware stopped making progress; names the stuck components."""
