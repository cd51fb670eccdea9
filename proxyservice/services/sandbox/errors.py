"""Errors of the sandbox that every converter runs in.

SandboxError
├── SandboxUnavailable   the sandbox cannot be set up here: converters are not run
├── ViewChanged          a file to be shown was replaced while the sandbox was being built
└── RunTimedOut          the program ran longer than its limit and was killed
"""

from ...errors import LimitExceeded, ProxyServiceError, ResourceUnavailable

__all__ = ["SandboxError", "SandboxUnavailable", "ViewChanged", "RunTimedOut"]


class SandboxError(ProxyServiceError):
    """Base of the sandbox's errors."""


class SandboxUnavailable(SandboxError, ResourceUnavailable):
    """The OS sandbox (bubblewrap) cannot start on this worker, so no converter is run.

    Install Debian's ``bubblewrap`` and allow unprivileged user namespaces (README,
    "Sandbox"); UNSAFE_NO_SANDBOX=true runs converters without it, on trusted files only.
    """


class ViewChanged(SandboxError, ResourceUnavailable):
    """A file the program was to read was replaced or removed while its sandbox was being built; try again."""


class RunTimedOut(SandboxError, LimitExceeded):
    """The program ran longer than its limit; it and everything it started were killed."""
