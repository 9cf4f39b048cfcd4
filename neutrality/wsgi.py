"""The WSGI application for a production server (gunicorn.conf.py serves it: ``bin/up``).

Settings come from the ``NEUTRALITY_*`` environment, as for the command line; a wrong or missing
one (a secret key, outside the demo) stops the server with its message before any request.
"""

from __future__ import annotations

from neutrality.app import create_app
from neutrality.errors import SettingsError
from neutrality.web.warming import warm

try:
    app = create_app()
except SettingsError as error:
    # a sentence for whoever starts the server, not a traceback
    raise SystemExit(f"neutrality cannot start: {error.message}") from None

# in gunicorn's master (preload_app): the workers fork warm
warm(app)
