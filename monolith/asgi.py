"""The monolith's ASGI application: the live interview pad's WebSocket only.

Pages and the API stay on the WSGI application (``monolith.wsgi``, gunicorn); this
one is served by the ``monolith-ws`` process (daphne), which the gateway reaches
for ``/pad/ws/`` only. Plain HTTP here answers ``/health`` and 404 otherwise.
"""

import os

os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE", f"monolith.settings.{os.environ.get('POLYCODE_ENV', 'local')}"
)

import django

django.setup()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from monolith.interviews.pad.routing import health, websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter({"http": health, "websocket": URLRouter(websocket_urlpatterns)})
