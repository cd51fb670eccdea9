"""Controllers: orchestrate services and use-cases, return ``(data, status, headers)``."""

from http import HTTPStatus
from typing import Any

Response = tuple[Any, HTTPStatus, dict[str, str]]
"""What every controller returns: the data to serialize, the status and the headers."""
