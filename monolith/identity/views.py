from django.contrib.auth.views import LoginView
from django.urls import reverse_lazy
from oauth2_provider.views import AuthorizationView


class ProviderLoginView(LoginView):
    """The identity provider's sign-in page (any active account, not only staff)."""

    template_name = "identity/login.html"
    redirect_authenticated_user = True


class ProviderAuthorizationView(AuthorizationView):
    login_url = reverse_lazy("oauth2_provider:login")
