"""A base for plugins that read metadata of a file at ingest, in the web process: facts that cost little to read.

A subclass names what it handles, declares its fields in ``SCHEMA`` (no
proxy type) and implements :meth:`MetadataPlugin.extract`; :meth:`process`
checks the values against the schema and stores them, as PixStor's metadata
plugins do. Reading that is heavy, or that runs a converter on a stranger's
file, belongs in a worker's job instead (a :class:`~.base.WorkerProxyPlugin`
whose job calls ``Metadata(file_id, plugin).ingest(values)``), where the
sandbox and the time limits are.
"""

import logging
from pathlib import Path
from typing import Any, Mapping

from ..domain import FileInfo, PluginStatus
from ..errors import InputInvalid, ResourceUnavailable
from .base import DeclaredPlugin

logger = logging.getLogger(__name__)


class MetadataPlugin(DeclaredPlugin):
    """A synchronous plugin whose work is reading fields of a file; it makes no proxy.

    Attributes
    ----------
    NAMESPACE, EXTENSIONS, MIMETYPES
        As :class:`~.base.DeclaredPlugin`'s.
    SCHEMA
        One ``{name, prompt, value: {datatype}, searchable}`` per field.
    """

    def extract(self, fileinfo: FileInfo) -> Mapping[str, Any]:
        """Read the fields of one file: name to value (``None`` for a field the file does not have).

        Raises
        ------
        InputInvalid
            The file cannot be read as the kind it claims to be.
        """
        raise NotImplementedError

    def is_async(self) -> bool:
        return False

    def process(self, id_: str, file_: str, fileinfo: FileInfo | None = None) -> PluginStatus:
        if fileinfo is None or not Path(fileinfo.path).is_file():
            # An upload staged in object storage (s3://…) is no file here: a worker's job can read it.
            return PluginStatus.SKIPPED
        try:
            self._store_metadata(id_, self.extract(fileinfo))
        except InputInvalid as e:
            logger.info("%s cannot read %s: %s", self.NAMESPACE, fileinfo.name, e)
            return PluginStatus.ERRORED
        except ResourceUnavailable as e:  # the contract: report FATAL, never propagate (the ingest answers 503)
            logger.warning("%s cannot store the fields of %s: %s", self.NAMESPACE, fileinfo.name, e)
            return PluginStatus.FATAL
        return PluginStatus.SUCCESS
