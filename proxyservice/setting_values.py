"""How a setting's text in the environment becomes its value: one cast per type, and the error that names it."""

import os
from pathlib import Path
from typing import Any, Callable

from .errors import InputInvalid


class SettingInvalid(InputInvalid, ValueError):
    """An environment variable holds a value its setting cannot take."""


def _cast_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{raw!r} is not a boolean (use true or false)")


def _cast_paths(raw: str) -> tuple[Path, ...]:
    return tuple(Path(part) for part in raw.split(os.pathsep) if part)


def _cast_names(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


_CASTS: dict[Any, Callable[[str], Any]] = {
    str: str,
    int: int,
    float: float,
    bool: _cast_bool,
    Path: Path,
    tuple[Path, ...]: _cast_paths,
    tuple[str, ...]: _cast_names,
    Path | None: Path,
}


def cast_setting(name: str, annotation: Any, raw: str) -> Any:
    """Cast one environment value to its setting's type.

    Raises
    ------
    SettingInvalid
        The value does not fit the type; the message names the variable.
    """
    cast = _CASTS[annotation]
    try:
        return cast(raw)
    except ValueError as e:
        raise SettingInvalid(f"{name}={raw!r}: {e}") from e
