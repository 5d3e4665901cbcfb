"""``manage.py route``: list and change the route table (every change audited).

manage.py route list
manage.py route set /api/v1/shop/ --mode canary --percent 10 --reason "first 10%"
manage.py route set /api/v1/shop/ --mode legacy            # roll back
manage.py route history /api/v1/shop/
"""

import getpass
import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gateway_proxy import services
from gateway_proxy.models import Route, RouteChange


def _percent(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise CommandError(f"--percent: {value!r} is not a number") from exc


class Command(BaseCommand):
    help = "List or change gateway routes (audited)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="show every route")
        history = sub.add_parser("history", help="show the audit log of a route")
        history.add_argument("prefix")
        change = sub.add_parser("set", help="create or change a route")
        change.add_argument("prefix")
        change.add_argument("--mode", choices=[m.value for m in Route.Mode])
        change.add_argument("--percent", type=_percent, help="canary share, 0-100")
        change.add_argument("--legacy", dest="legacy_service")
        change.add_argument("--legacy-prefix")
        change.add_argument("--extracted", dest="extracted_service")
        change.add_argument("--extracted-prefix")
        change.add_argument("--timeout", dest="timeout_seconds", type=float)
        change.add_argument("--retries", type=int)
        change.add_argument("--rate-limit-user", type=int)
        change.add_argument("--rate-limit-ip", type=int)
        change.add_argument("--ignore-field", action="append", dest="shadow_ignore_fields")
        change.add_argument("--auth-required", dest="auth_required", action="store_true", default=None)
        change.add_argument("--no-auth-required", dest="auth_required", action="store_false")
        change.add_argument("--websocket", dest="websocket", action="store_true", default=None)
        change.add_argument("--no-websocket", dest="websocket", action="store_false")
        change.add_argument("--reason", default="")
        change.add_argument("--actor", default="", help="who is making the change (default: the OS user)")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "list":
            for route in Route.objects.order_by("prefix"):
                mode = f"canary {route.canary_percent}%" if route.mode == Route.Mode.CANARY else route.mode
                self.stdout.write(
                    f"{route.prefix:<28} {mode:<16} legacy={route.legacy_service or '-':<10}"
                    f" extracted={route.extracted_service or '-'}"
                )
            return
        if action == "history":
            for change in RouteChange.objects.filter(prefix=options["prefix"]):
                self.stdout.write(
                    f"{change.at:%Y-%m-%d %H:%M:%S} {change.actor} {change.action} "
                    f"before={json.dumps(change.before)} after={json.dumps(change.after)} {change.reason}"
                )
            return
        changes = {
            name: options[name]
            for name in (
                "mode", "legacy_service", "legacy_prefix", "extracted_service", "extracted_prefix",
                "timeout_seconds", "retries", "rate_limit_user", "rate_limit_ip", "shadow_ignore_fields",
                "auth_required", "websocket",
            )
            if options.get(name) is not None
        }  # fmt: skip
        if options["percent"] is not None:
            changes["canary_percent"] = options["percent"]
        actor = f"cli:{options['actor'] or getpass.getuser()}"
        route = Route.objects.filter(prefix=options["prefix"]).first()
        try:
            if route is None:
                route = services.route_create(
                    prefix=options["prefix"], actor=actor, reason=options["reason"], **changes
                )
                self.stdout.write(self.style.SUCCESS(f"created {route}"))
            else:
                route = services.route_update(route=route, actor=actor, reason=options["reason"], **changes)
                self.stdout.write(self.style.SUCCESS(f"{route} — live within seconds"))
        except ValidationError as exc:
            details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            raise CommandError(details) from exc
