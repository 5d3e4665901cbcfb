"""``manage.py consul_register``: register an instance in Consul until SIGTERM."""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from common.registry.consul import make_client
from common.registry.registrar import Registrar, Registration


class Command(BaseCommand):
    help = (
        "Register a service instance in Consul (HTTP health check + TTL heartbeat), "
        "keep it alive, and deregister it on SIGTERM/SIGINT."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="service name, e.g. runner")
        parser.add_argument("--address", required=True, help="address other services reach it at")
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--id", default="", help="instance id (default name-address-port)")
        parser.add_argument("--health-path", default="/health")
        parser.add_argument("--scheme", default="http", choices=["http", "https"])
        parser.add_argument("--ttl", type=int, default=15, help="heartbeat TTL in seconds")
        parser.add_argument("--tag", action="append", default=[])
        parser.add_argument(
            "--consul", default=getattr(settings, "CONSUL_HTTP_ADDR", "http://127.0.0.1:8500")
        )

    def handle(self, *args, **options):
        if options["ttl"] < 3:
            self.stderr.write("--ttl must be at least 3 seconds")
            raise SystemExit(2)
        registration = Registration(
            name=options["name"],
            address=options["address"],
            port=options["port"],
            service_id=options["id"],
            health_path=options["health_path"],
            scheme=options["scheme"],
            ttl_seconds=options["ttl"],
            tags=tuple(options["tag"]),
        )
        client = make_client(options["consul"], token=getattr(settings, "CONSUL_HTTP_TOKEN", ""))
        registrar = Registrar(client, registration)

        def stop(signum, frame):
            registrar.stop.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"registering {registration.service_id} with {options['consul']}", ending="\n")
        self.stdout.flush()
        registrar.run()
        self.stdout.write(f"deregistered {registration.service_id}")
