"""The actor every command of the command line acts as (:func:`cli_actor`)."""

from __future__ import annotations

import getpass

from neutrality.access.model import Actor


def cli_actor() -> Actor:
    """The commands call the same services as the API, as a site administrator labelled
    ``cli:<os user>`` in the audit log."""
    return Actor(user_id=None, label=f"cli:{getpass.getuser()}", is_admin=True)
