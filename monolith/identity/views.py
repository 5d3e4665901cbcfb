from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from oauth2_provider.views import AuthorizationView


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
