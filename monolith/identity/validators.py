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
