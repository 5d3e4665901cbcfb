"""WSGI entry point of the gateway (gunicorn ``gateway_proxy.wsgi:application``)."""

import os
import sys

from django.core.wsgi import get_wsgi_application

# Under a threaded server (gthread), threads of a gateway process mostly wait on
# sockets; with CPython's default 5 ms switch interval, a thread whose answer has
# arrived can wait that long for the interpreter lock. A shorter interval keeps
# proxied latency low. (The Procfile's gevent workers switch at every socket wait.)
sys.setswitchinterval(float(os.environ.get("GATEWAY_SWITCH_INTERVAL", "0.0005")))

if "gevent" in sys.modules:
    from gevent import monkey

    if monkey.is_module_patched("socket"):
        # Under gunicorn's gevent workers (the Procfile): PostgreSQL queries wait
        # cooperatively (psycopg2's own select-based wait, select being patched)
        # instead of blocking every connection of the process.
        import psycopg2.extensions
        import psycopg2.extras

        psycopg2.extensions.set_wait_callback(psycopg2.extras.wait_select)

# POLYCODE_ENV picks local, production or test, as it does for manage.py and the workers.
os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE", f"gateway_proxy.settings.{os.environ.get('POLYCODE_ENV', 'local')}"
)
django_application = get_wsgi_application()

from gateway_proxy.proxy.handler import GatewayApplication  # noqa: E402 - needs Django set up

application = GatewayApplication(django_application)
