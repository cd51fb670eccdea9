"""Plugin API v1: everything a plugin imports, the same for the built-ins and third parties.

    from proxyservice.plugins.api import FileInfo, InputInvalid, JobContext, WorkerProxyPlugin, ingest_scaled

- The contract: :class:`ProxyPlugin` (PixStor's, whose methods raise
  ``NotImplementedError``), :class:`PluginStatus`, and :class:`FileInfo`, the
  file handed to ``process()``.
- The base the built-ins use: :class:`WorkerProxyPlugin` (one job per file and
  size, submitted for you) and :func:`ingest_scaled` (scale a picture into the
  requested box and store it as the proxy at that size).
- The job's context: :class:`JobContext`, a ``Protocol``: settings, temp
  files and folders, the checked copy of the file, a page's view of its tree,
  the converters, and storing a proxy. A job taking a ``context`` argument is
  handed it.
- Metadata: a plugin's ``schema()`` declares fields beside its proxies
  (datatypes String, Integer, Float, Boolean, Date, List; ``searchable``); a
  job stores their values with :class:`Metadata` (``Metadata(id_, plugin).ingest(values)``),
  checked against that declaration first. :class:`MetadataPlugin` is the base
  of a plugin that reads fields at ingest and makes no proxy.
- PixStor's helpers: :class:`Proxy`, :func:`generate_temp_filename`,
  :func:`temporary_file`, and :func:`sized_typeidentifier` with
  :class:`ProxySize`.
- The error families of :mod:`proxyservice.errors`. A job raises
  ``InputInvalid("…")`` to say the file is bad: the task fails with that
  message and is not retried; ``ResourceUnavailable`` is retried later;
  ``LimitExceeded`` fails naming the limit; anything else is a bug, logged with
  its traceback.
- :data:`API_VERSION`. A plugin declares the version it was written for as
  ``API_VERSION`` on its class or module; it is loaded when the major version
  is the same and its minor version not newer (:mod:`.api_version`), and
  refused at load with the reason otherwise.
"""

from ..domain import FileInfo, PluginStatus, ProxyFile, ProxyPlugin, ProxySize, SourceView, sized_typeidentifier
from ..errors import (
    InputForbidden,
    InputInvalid,
    InputNotFound,
    InputUnauthenticated,
    InputUnsupported,
    InternalError,
    LimitExceeded,
    ProxyServiceError,
    ResourceBusy,
    ResourceUnavailable,
)
from .api_version import API_VERSION
from .base import WorkerProxyPlugin, ingest_scaled
from .contract import JobContext
from .helpers import Metadata, Proxy, generate_temp_filename, temporary_file
from .metadata_base import MetadataPlugin

__all__ = [
    "API_VERSION",
    # The contract.
    "FileInfo",
    "PluginStatus",
    "ProxyPlugin",
    # The base the built-ins use.
    "WorkerProxyPlugin",
    "MetadataPlugin",
    "ingest_scaled",
    # The job's context.
    "JobContext",
    # PixStor's helpers.
    "Proxy",
    "Metadata",
    "ProxyFile",
    "ProxySize",
    "SourceView",
    "generate_temp_filename",
    "sized_typeidentifier",
    "temporary_file",
    # The error families.
    "ProxyServiceError",
    "InputInvalid",
    "InputNotFound",
    "InputForbidden",
    "InputUnauthenticated",
    "InputUnsupported",
    "ResourceUnavailable",
    "ResourceBusy",
    "LimitExceeded",
    "InternalError",
]
