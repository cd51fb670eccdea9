"""The one pattern services share (arXiv-base's ``MetaIntegration``): each is built from the settings alone.

:meth:`SettingsService.from_settings` makes a service anywhere: the service
container (:class:`proxyservice.container.Services`) builds each once per
process, for the web app, the worker and the command line alike.
"""

from typing import TypeVar

from ..config import Settings

ServiceT = TypeVar("ServiceT", bound="SettingsService")


class SettingsService:
    """A service built from the settings: a subclass implements :meth:`from_settings`."""

    @classmethod
    def from_settings(cls: type[ServiceT], settings: Settings) -> ServiceT:
        """The service as these settings configure it."""
        raise NotImplementedError
