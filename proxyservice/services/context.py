"""Where services find the settings, and the one pattern they share (arXiv-base's ``MetaIntegration``).

Each service is built from the settings alone (:meth:`SettingsService.from_settings`),
so it can be made anywhere: in a web request, where :meth:`current_session`
caches it on Flask's ``g``, and in a worker's job context, with no Flask at all.
"""

from typing import Callable, ClassVar, TypeVar

from flask import Flask, current_app, g

from ..config import Settings

SessionT = TypeVar("SessionT")
ServiceT = TypeVar("ServiceT", bound="SettingsService")

SETTINGS_KEY = "PROXYSERVICE_SETTINGS"


def init_settings(app: Flask) -> Settings:
    """Give ``app`` the settings from the environment unless it has some already."""
    settings: Settings | None = app.config.get(SETTINGS_KEY)
    if settings is None:  # read once: parsing the environment at each call cost a fifth of a request
        settings = app.config[SETTINGS_KEY] = Settings.from_environ()
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


_PER_PROCESS: dict[tuple[type, Settings], object] = {}


class SettingsService:
    """A service built from the settings: ``init_app``, ``current_session`` and ``from_settings``.

    A subclass names its ``SESSION_KEY`` and implements :meth:`from_settings`.
    """

    SESSION_KEY: ClassVar[str]
    PER_PROCESS: ClassVar[bool] = False
    """True for a service that holds nothing but what its settings make of it: one is made per process
    (and settings), not per request, as building it costs (resolving folders)."""

    @staticmethod
    def init_app(app: Flask) -> None:
        """Make sure ``app`` has the settings this service is built from."""
        init_settings(app)

    @classmethod
    def from_settings(cls: type[ServiceT], settings: Settings) -> ServiceT:
        """The service as these settings configure it."""
        raise NotImplementedError

    @classmethod
    def current_session(cls: type[ServiceT]) -> ServiceT:
        """The service of the current application context, made once per context."""
        if not cls.PER_PROCESS:
            return session_on_g(cls.SESSION_KEY, cls.from_settings)
        return session_on_g(cls.SESSION_KEY, lambda settings: cls._per_process(settings))

    @classmethod
    def _per_process(cls: type[ServiceT], settings: Settings) -> ServiceT:
        made = _PER_PROCESS.get((cls, settings))
        if made is None:
            made = _PER_PROCESS[(cls, settings)] = cls.from_settings(settings)
        return made  # type: ignore[return-value]  # stored under its own class
