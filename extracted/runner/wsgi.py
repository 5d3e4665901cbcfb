"""WSGI entry point of the runner service.

The sandbox is built here, before the first request: a host where no sandbox can
be built stops the service with the reason instead of serving unsandboxed runs.
"""

import os

from django.core.wsgi import get_wsgi_application

# POLYCODE_ENV picks local, production or test, as it does for manage.py and the workers.
os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE", f"extracted.runner.settings.{os.environ.get('POLYCODE_ENV', 'local')}"
)
application = get_wsgi_application()

from extracted.runner.services import sandbox_start  # noqa: E402 - needs configured settings

sandbox_start()
