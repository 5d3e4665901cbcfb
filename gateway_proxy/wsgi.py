"""WSGI entry point of the gateway (gunicorn ``gateway_proxy.wsgi:application``)."""

import os
import sys

from django.core.wsgi import get_wsgi_application

# Under a threaded server (gthread), threads of a gateway process mostly wait on
# sockets; with CPython's default 5 ms switch interval, a thread whose answer has
# arrived can wait that long for the interpreter lock. A shorter interval keeps
# proxied latency low. (The Procfile's gevent workers switch at every socket wait.)
sys.setswitchinterval(float(os.environ.get("GATEWAY_SWITCH_INTERVAL", "0.0005")))

# Under gunicorn's gevent workers (the Procfile) PostgreSQL queries wait cooperatively:
# psycopg, imported after gevent patched ``select``, waits through it by itself.

# POLYCODE_ENV picks local, production or test, as it does for manage.py and the workers.
os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE", f"gateway_proxy.settings.{os.environ.get('POLYCODE_ENV', 'local')}"
)
django_application = get_wsgi_application()

from gateway_proxy.proxy.handler import GatewayApplication  # noqa: E402 - needs Django set up

application = GatewayApplication(django_application)
