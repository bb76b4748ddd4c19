"""The WSGI entry point: `flask --app wsgi ...` and `gunicorn wsgi:app` load the app from here."""

import sys

from tracker import ConfigError, create_app, settle_for_serving

try:
    app = create_app()
except ConfigError as error:
    # One clear line for the operator, not a traceback.
    sys.exit(f"tracker: {error}")
settle_for_serving()
