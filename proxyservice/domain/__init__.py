"""Pure data of the proxy service: no I/O, no imports from the rest of the project."""

from .plugin import PluginStatus, ProxyPlugin, Submitter
from .proxy import ProxyFile, ProxySize
from .source import SourceFile
from .task import TaskRecord, TaskState

__all__ = [
    "PluginStatus",
    "ProxyFile",
    "ProxyPlugin",
    "ProxySize",
    "SourceFile",
    "Submitter",
    "TaskRecord",
    "TaskState",
]
