"""The legacy OIDC provider under ``/o/`` (issuer ``<site>/o``)."""

from django.urls import path, re_path
from oauth2_provider import views as oauth2_views

from monolith.identity.views import (
    ProviderAuthorizationView,
    ProviderDiscoveryView,
    ProviderIntrospectionView,
    ProviderLoginView,
)

# django-oauth-toolkit reverses its own names in this namespace.
app_name = "oauth2_provider"

urlpatterns = [
    path("login/", ProviderLoginView.as_view(), name="login"),
    path("authorize/", ProviderAuthorizationView.as_view(), name="authorize"),
    path("token/", oauth2_views.TokenView.as_view(), name="token"),
    path("revoke_token/", oauth2_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", ProviderIntrospectionView.as_view(), name="introspect"),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        ProviderDiscoveryView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    # RFC 8414 metadata: its issuer is also the RFC 9207 ``iss`` of authorization responses.
    re_path(
        r"^\.well-known/oauth-authorization-server/?$",
        oauth2_views.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
    path(".well-known/jwks.json", oauth2_views.JwksInfoView.as_view(), name="jwks-info"),
    path("userinfo/", oauth2_views.UserInfoView.as_view(), name="user-info"),
    path("logout/", oauth2_views.RPInitiatedLogoutView.as_view(), name="rp-initiated-logout"),
]
