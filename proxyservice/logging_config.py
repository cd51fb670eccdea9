"""Logging of the web app and the workers, from the settings: plain text or JSON lines, each with its request id.

JSON lines are written by python-json-logger; each carries ``time``,
``level``, ``logger``, ``process``, ``request_id`` and ``message`` (and an
exception's ``exc_info``).
"""

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from .config import SettingInvalid, Settings
from .services.request_ids import current_request_id

TEXT_FORMAT = "%(asctime)s %(levelname)s %(processName)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(processName)s %(request_id)s %(message)s"
JSON_NAMES = {"asctime": "time", "levelname": "level", "name": "logger", "processName": "process"}
FORMATS = ("text", "json")


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request being served (``-`` outside any)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get() or "-"
        return True


def configure_logging(settings: Settings) -> None:
    """Send every log line of this process to stderr at LOG_LEVEL, as LOG_FORMAT says; replaces earlier handlers.

    Raises
    ------
    SettingInvalid
        LOG_FORMAT or LOG_LEVEL is not one this knows.
    """
    if settings.LOG_FORMAT not in FORMATS:
        raise SettingInvalid(f"LOG_FORMAT={settings.LOG_FORMAT!r}: use {' or '.join(FORMATS)}")
    level = logging.getLevelName(settings.LOG_LEVEL.upper())
    if not isinstance(level, int):
        raise SettingInvalid(f"LOG_LEVEL={settings.LOG_LEVEL!r}: use DEBUG, INFO, WARNING or ERROR")
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if settings.LOG_FORMAT == "json":
        handler.setFormatter(JsonFormatter(JSON_FIELDS, rename_fields=JSON_NAMES))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
