"""Proxy plugins: the author's API, the registry and the built-in plugins."""
