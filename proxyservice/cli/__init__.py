"""The ``proxyservice`` command: plugins, ingest, task status and tokens, on this host or another over HTTP."""

from .commands import cli, main

__all__ = ["cli", "main"]
