"""``manage.py oidc_gateway_client``: register the gateway as a client of this provider (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from oauth2_provider.models import get_application_model

from common.ports import dev_url
from common.settings.base import env

# The gateway of the development stack (its port follows POLYCODE_PORT_BASE).
DEFAULT_REDIRECTS = [f"{dev_url('gateway', host)}/oidc/callback/" for host in ("localhost", "127.0.0.1")]
# Public (it is in this repository): registered only where development keys are allowed.
DEV_SECRET = "gateway-dev-secret"  # noqa: S105


class Command(BaseCommand):
    help = "Create or update the OIDC client of the gateway (authorization code + PKCE, RS256)."

    def add_arguments(self, parser):
        parser.add_argument("--client-id", default=env.str("OIDC_RP_CLIENT_ID", default="polycode-gateway"))
        parser.add_argument(
            "--secret",
            default=env.str("OIDC_RP_CLIENT_SECRET", default=""),
            help="client secret (OIDC_RP_CLIENT_SECRET); development alone falls back to a public one",
        )
        parser.add_argument("--redirect-uri", action="append", dest="redirect_uris")

    def handle(self, *args, **options):
        development = getattr(settings, "GATEWAY_ASSERTION_DEV_KEYS", False)
        secret = options["secret"] or (DEV_SECRET if development else "")
        if not secret:
            raise CommandError("Give the gateway's client secret: --secret or OIDC_RP_CLIENT_SECRET.")
        if secret == DEV_SECRET and not development:
            raise CommandError("The development client secret is public: give this environment its own.")
        application_model = get_application_model()
        redirects = options["redirect_uris"] or DEFAULT_REDIRECTS
        app, created = application_model.objects.update_or_create(
            client_id=options["client_id"],
            defaults={
                "name": "PolyCode gateway",
                "client_type": application_model.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": application_model.GRANT_AUTHORIZATION_CODE,
                "client_secret": secret,
                "redirect_uris": " ".join(redirects),
                "post_logout_redirect_uris": " ".join(r.replace("/oidc/callback/", "/") for r in redirects),
                "algorithm": application_model.RS256_ALGORITHM,
                "skip_authorization": True,
            },
        )
        self.stdout.write(f"{'created' if created else 'updated'} OIDC client {app.client_id}")
