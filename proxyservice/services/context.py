"""Where services find the settings and cache their sessions (Flask's ``g``)."""

from typing import Callable, TypeVar

from flask import Flask, current_app, g

from ..config import Settings

SessionT = TypeVar("SessionT")

SETTINGS_KEY = "PROXYSERVICE_SETTINGS"


def init_settings(app: Flask) -> Settings:
    """Give ``app`` the settings from the environment unless it has some already."""
    settings: Settings = app.config.setdefault(SETTINGS_KEY, Settings.from_environ())
    return settings


def current_settings() -> Settings:
    """The settings of the app in the current application context."""
    return init_settings(current_app)


def session_on_g(key: str, factory: Callable[[Settings], SessionT]) -> SessionT:
    """Return the session cached on ``g`` under ``key``, making it on first use.

    Parameters
    ----------
    key
        The attribute of ``g`` (one per service).
    factory
        Builds the session from the current settings.
    """
    if key not in g:
        setattr(g, key, factory(current_settings()))
    session: SessionT = getattr(g, key)
    return session
