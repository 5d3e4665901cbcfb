"""What every page's layout needs: the navigation, the signed-in user's points."""

from django.conf import settings


def layout(request):
    return {
        "login_url": settings.WEB_LOGIN_URL,
        "logout_url": settings.WEB_LOGOUT_URL,
        # The identity provider's own pages (sign-in, logout) are part of a login in progress.
        "signing_in": request.path_info.startswith("/o/"),
    }
