"""Deterministic task ids: the same file, plugin and options give the same id."""

import hashlib
import json
import uuid

from ..domain import ProxySize


def task_id_for(file_id: str, plugin: str, size: ProxySize, pages: int | None = None) -> str:
    """The id of the task that makes ``plugin``'s proxies of a file at ``size``.

    Parameters
    ----------
    file_id
        The file's content hash.
    plugin
        The plugin's name (``html_preview::HTMLPreview``).
    size
        The proxy size asked for.
    pages
        The pages asked for; ``None`` (none) keeps the id a request without ``pages`` always had, and a
        number makes another task: the task that made one page is not the one that makes twelve.
    """
    options: dict[str, object] = {"file": file_id, "plugin": plugin, "size": [size.width, size.height]}
    if pages is not None:
        options["pages"] = pages
    key = json.dumps(options, sort_keys=True)
    return str(uuid.UUID(hex=hashlib.sha256(key.encode()).hexdigest()[:32]))
