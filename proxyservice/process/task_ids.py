"""Deterministic task ids: the same file, plugin and options give the same id."""

import hashlib
import json
import uuid

from ..domain import ProxySize


def task_id_for(file_id: str, plugin: str, size: ProxySize) -> str:
    """The id of the task that makes ``plugin``'s proxies of a file at ``size``.

    Parameters
    ----------
    file_id
        The file's content hash.
    plugin
        The plugin's name (``html_preview::HTMLPreview``).
    size
        The proxy size asked for.
    """
    key = json.dumps(
        {"file": file_id, "plugin": plugin, "size": [size.width, size.height]}, sort_keys=True
    )
    return str(uuid.UUID(hex=hashlib.sha256(key.encode()).hexdigest()[:32]))
