"""``manage.py strangle``: move a capability one step, with pre-checks, route and switch together.

manage.py strangle shop                       # where the shop is, its switch, its audit log
manage.py strangle shop shadow --reason "compare before serving"
manage.py strangle shop canary 50 --reason "half the learners"
manage.py strangle shop extracted
manage.py strangle shop legacy --reason "rollback: 5xx on checkout"
manage.py strangle shop extracted --force --reason "consumer count lags behind"   # past a failed pre-check

Runs on the gateway (it owns the routes) and calls the monolith's switch API with the
gateway's service assertion; the data steps run the services' own commands (docs/strangler.md).
"""

import getpass

from django.core.management.base import BaseCommand, CommandError

from gateway_proxy import audit, capabilities
from gateway_proxy.strangle import StrangleRefused, capability_get, current_stage, stage_of, strangle_step


class Command(BaseCommand):
    help = "Move a capability (shop, runner, mailer) one step between legacy, shadow, canary N and extracted."

    def add_arguments(self, parser):
        parser.add_argument("capability", choices=sorted(capabilities.CAPABILITIES))
        parser.add_argument("stage", nargs="?", choices=capabilities.ORDER, help="where to move it")
        parser.add_argument("percent", nargs="?", type=float, help="canary: share of users, e.g. 50")
        parser.add_argument("--reason", default="")
        parser.add_argument(
            "--force", action="store_true", help="move although a pre-check failed (needs --reason)"
        )
        parser.add_argument("--actor", default="", help="who is making the change (default: the OS user)")

    def handle(self, *args, capability: str, stage, percent, reason: str, force: bool, actor: str, **options):
        try:
            if stage is None:
                self._status(capability)
                return
            strangle_step(
                name=capability,
                target=stage_of(stage, percent),
                actor=f"cli:{actor or getpass.getuser()}",
                reason=reason,
                force=force,
                out=self.stdout.write,
            )
        except StrangleRefused as exc:
            raise CommandError(f"refused: {exc}") from None

    def _status(self, name: str) -> None:
        capability = capability_get(name)
        self.stdout.write(f"{name}: {current_stage(capability)}")
        names = [capability.switch] + ([capability.pause] if capability.pause else [])
        entries, states, error = audit.migration_log(prefixes=[capability.route], switch_names=names)
        for state in states:
            if state["name"] in names:
                self.stdout.write(f"switch {state['name']}: {'on' if state['active'] else 'off'}")
        if error:
            self.stdout.write(f"switches unknown: {error}")
        for entry in entries:
            self.stdout.write(
                f"{entry['at']:%Y-%m-%d %H:%M:%S} {entry['kind']:<6} {entry['subject']} {entry['actor']} "
                f"{entry['before']} → {entry['after']} {entry['reason']}"
            )
