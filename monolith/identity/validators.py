"""OIDC claims of PolyCode accounts."""

from oauth2_provider.oauth2_validators import OAuth2Validator

from monolith.identity.roles import user_roles


class PolyCodeOAuth2Validator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "roles": "profile", "polycode_uid": "openid"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "polycode_uid": str(user.pk),
            "preferred_username": user.get_username(),
            "name": user.get_full_name() or user.get_username(),
            "email": user.email,
            "email_verified": bool(user.email),
            "roles": user_roles(user),
        }

    def validate_bearer_token(self, token, scopes, request):
        """A deactivated account's access token is refused (userinfo), however recent."""
        valid = super().validate_bearer_token(token, scopes, request)
        return valid and _active(request.user)

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        """A deactivated account gets no new tokens from its refresh token."""
        valid = super().validate_refresh_token(refresh_token, client, request, *args, **kwargs)
        return valid and _active(request.user)


def _active(user) -> bool:
    return user is None or bool(getattr(user, "is_active", False))
