"""Pure data of the proxy service: no I/O, no imports from the rest of the project."""

from .page import Area, reading_area
from .metadata import MetadataField, metadata_fields, proxy_types
from .plugin import ALL_ENABLED, MetadataSink, PluginStatus, ProxyPlugin, Submitter
from .proxy import (MODERN_FORMATS, ImageFormat, ProxyFile, ProxySize, copy_format, encoded_typeidentifier,
                    listing_order, numbered_typeidentifier, sized_typeidentifier)
from .source import FileInfo, SourceFile, file_identity, page_identity
from .task import TaskRecord, TaskState
from .view import SourceView

__all__ = [
    "ALL_ENABLED",
    "Area",
    "MODERN_FORMATS",
    "ImageFormat",
    "MetadataField",
    "MetadataSink",
    "PluginStatus",
    "ProxyFile",
    "ProxyPlugin",
    "ProxySize",
    "SourceFile",
    "SourceView",
    "FileInfo",
    "copy_format",
    "encoded_typeidentifier",
    "file_identity",
    "listing_order",
    "numbered_typeidentifier",
    "page_identity",
    "metadata_fields",
    "proxy_types",
    "reading_area",
    "sized_typeidentifier",
    "Submitter",
    "TaskRecord",
    "TaskState",
]
