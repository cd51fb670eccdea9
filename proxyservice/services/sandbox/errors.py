"""Errors of the sandbox that every converter runs in.

SandboxError
├── SandboxUnavailable   the sandbox cannot be set up here: converters are not run
├── SandboxSetupFailed   this one run's view could not be built (a file vanished)
└── RunTimedOut          the program ran longer than its limit and was killed
"""

__all__ = ["SandboxError", "SandboxUnavailable", "SandboxSetupFailed", "RunTimedOut"]


class SandboxError(Exception):
    """Base of the sandbox's errors."""


class SandboxUnavailable(SandboxError):
    """The OS sandbox (bubblewrap) cannot start on this worker, so no converter is run.

    Install Debian's ``bubblewrap`` and allow unprivileged user namespaces (README,
    "Sandbox"); UNSAFE_NO_SANDBOX=true runs converters without it, on trusted files only.
    """


class SandboxSetupFailed(SandboxError):
    """The sandbox of one run could not be built, for instance because a file went away meanwhile."""


class RunTimedOut(SandboxError):
    """The program ran longer than its limit; it and everything it started were killed."""
