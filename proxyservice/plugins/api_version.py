"""The plugin API's version, and which plugins it can load.

A plugin declares the version it was written for as ``API_VERSION`` on its
class or its module (``API_VERSION = "1.2"``); one that declares none is taken
to be written for 1.0. It loads when its major version is this API's and its
minor version is not newer: within a major version the API only grows, so a
plugin written for 1.0 loads under 1.3, and one written for 1.3 (which may use
what 1.3 added) does not load under 1.0.
"""

import re
import sys
from typing import Any

API_VERSION = "1.2"
"""The plugin API this proxyservice offers, ``MAJOR.MINOR``."""
ASSUMED_VERSION = "1.0"
"""What a plugin that declares no version is taken to be written for."""
VERSION = re.compile(r"^(\d+)\.(\d+)$")


def declared_api_version(plugin_class: type) -> Any:
    """The ``API_VERSION`` a plugin declares on its class or its module, or :data:`ASSUMED_VERSION`."""
    declared = getattr(plugin_class, "API_VERSION", None)
    if declared is None:
        declared = getattr(sys.modules.get(plugin_class.__module__), "API_VERSION", None)
    return ASSUMED_VERSION if declared is None else declared


def api_version_problem(name: str, plugin_class: type) -> str | None:
    """Why this proxyservice cannot load a plugin for the API version it declares, or ``None`` when it can."""
    declared = declared_api_version(plugin_class)
    found = VERSION.match(declared) if isinstance(declared, str) else None
    if found is None:
        return (f"plugin {name} declares API_VERSION {declared!r}, not a version of the form MAJOR.MINOR "
                f"(this proxyservice has plugin API {API_VERSION})")
    major, minor = (int(part) for part in found.groups())
    ours_major, ours_minor = (int(part) for part in API_VERSION.split("."))
    if major == ours_major and minor <= ours_minor:
        return None
    remedy = ("upgrade proxyservice, or install a version of the plugin"
              if (major, minor) > (ours_major, ours_minor) else "install a version of the plugin")
    return (f"plugin {name} is written for plugin API {declared}, and this proxyservice has plugin API "
            f"{API_VERSION}: a plugin loads when its major version is the same and its minor version is not "
            f"newer; {remedy} written for API {ours_major}.x")
