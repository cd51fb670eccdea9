"""What every command starts from: the settings of this host's environment, its service container, its exit."""

import click

from ..config import Settings, SettingInvalid
from ..container import Services
from .output import Exit


def command_settings() -> Settings:
    """The service's settings, from the environment; a bad value is a one-line error."""
    try:
        return Settings.from_environ()
    except SettingInvalid as e:
        raise click.ClickException(str(e)) from e


def command_services() -> Services:
    """This host's service container, built from the environment's settings; what it opened is closed at the end."""
    services = Services(command_settings())
    click.get_current_context().call_on_close(services.end_of_work)
    return services


def exit_with(code: Exit) -> None:
    """End the command with ``code`` (nothing to do for :attr:`Exit.OK`)."""
    if code is not Exit.OK:
        click.get_current_context().exit(int(code))
