"""Views of the identity provider that differ from django-oauth-toolkit's own."""

import hashlib
import json

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import get_access_token_model
from oauth2_provider.views import AuthorizationView, ConnectDiscoveryInfoView, IntrospectTokenView


class SignInForm(AuthenticationForm):
    """Django's sign-in form, which also says when the right password opens a deactivated account.

    The model backend refuses inactive accounts like a wrong password; telling
    the owner (who proved it with the password) why saves them guessing.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Your username and password did not match. Both are case-sensitive; "
            "if you forgot your password, reset it."
        ),
        "inactive": _("This account is deactivated. Write to the PolyCode team to have it opened again."),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError as exc:
            if exc.code == "invalid_login" and self._deactivated_owner():
                raise ValidationError(self.error_messages["inactive"], code="inactive") from None
            raise

    def _deactivated_owner(self) -> bool:
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        user = get_user_model()._default_manager.filter(username=username, is_active=False).first()
        return bool(user and password and user.check_password(password))


class ProviderLoginView(LoginView):
    """The identity provider's sign-in page (any active account, not only staff)."""

    template_name = "identity/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class ProviderAuthorizationView(AuthorizationView):
    login_url = reverse_lazy("oauth2_provider:login")


class ProviderDiscoveryView(ConnectDiscoveryInfoView):
    """OIDC discovery, also naming the introspection and revocation endpoints (as Keycloak's does).

    The gateway asks the introspection endpoint whether a token (or a browser
    session's token) still stands: revoked, or its account deactivated, it does not.
    """

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data["introspection_endpoint"] = request.build_absolute_uri(reverse("oauth2_provider:introspect"))
        data["revocation_endpoint"] = request.build_absolute_uri(reverse("oauth2_provider:revoke-token"))
        response.content = json.dumps(data)
        return response


class ProviderIntrospectionView(IntrospectTokenView):
    """RFC 7662 introspection: the token of a deactivated account is not active."""

    @staticmethod
    def get_token_response(token_value=None):
        response = IntrospectTokenView.get_token_response(token_value)
        data = json.loads(response.content)
        if data.get("active") and not _account_active(token_value):
            response.content = json.dumps({"active": False})
        return response


def _account_active(token_value: str) -> bool:
    checksum = hashlib.sha256(token_value.encode()).hexdigest()
    token = get_access_token_model().objects.select_related("user").filter(token_checksum=checksum).first()
    return token is not None and (token.user is None or token.user.is_active)
