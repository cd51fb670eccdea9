"""What a plugin must be to load: a :class:`ProxyPlugin` with a valid namespace and schema, for this API version.

Every plugin, built in or not, is checked here before it is used; what is
wrong with a broken one is said in a :class:`PluginInvalid`, which the
registry reports (``GET /plugins``, ``proxyservice plugins list``) instead of
letting it take the service down.
"""

import re
from typing import Any

from ..domain import ProxyPlugin
from ..domain.metadata import FILE_NAMESPACE
from ..errors import InputInvalid, InputNotFound
from ..schemas import first_error
from .api_version import api_version_problem

NAMESPACE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class PluginInvalid(InputInvalid):
    """A plugin could not be loaded, or breaks the plugin contract; the message says how."""


class PluginNotInstalled(PluginInvalid, InputNotFound):
    """No installed plugin has that name; ``proxyservice plugins list`` shows those that are."""


def check_plugin_class(name: str, plugin_class: Any) -> type[ProxyPlugin]:
    """Check that a class keeps the contract's static parts: API version, namespace and schema.

    Raises
    ------
    PluginInvalid
        It is not a :class:`ProxyPlugin`, it is written for another plugin API version,
        or its namespace or schema is invalid.
    """
    if not (isinstance(plugin_class, type) and issubclass(plugin_class, ProxyPlugin)):
        raise PluginInvalid(f"plugin {name} is not a subclass of ProxyPlugin")
    problem = api_version_problem(name, plugin_class)
    if problem is not None:
        raise PluginInvalid(problem)
    try:
        instance = plugin_class()
        namespace = instance.namespace()
    except Exception as e:
        raise PluginInvalid(f"plugin {name} cannot name its namespace: {type(e).__name__}: {e}") from e
    if not isinstance(namespace, str) or not NAMESPACE.match(namespace):
        raise PluginInvalid(f"plugin {name} has an invalid namespace {namespace!r} (want {NAMESPACE.pattern})")
    if namespace == FILE_NAMESPACE:
        raise PluginInvalid(f"plugin {name} takes the namespace {FILE_NAMESPACE!r}, which holds every file's own "
                            "facts: choose another")
    try:
        schema = instance.schema()
    except NotImplementedError as e:
        raise PluginInvalid(f"plugin {name} has no schema: schema() is not implemented") from e
    except Exception as e:
        raise PluginInvalid(f"plugin {name} cannot give its schema: {type(e).__name__}: {e}") from e
    problem = first_error("PluginSchema", schema)
    if problem is not None:
        raise PluginInvalid(f"plugin {name} has an invalid schema: {problem}")
    return plugin_class
