"""Page access: a page that needs a user sends an anonymous visitor to the gateway's login."""

from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.shortcuts import redirect


def login_url(next_path: str) -> str:
    """The gateway's OIDC login, coming back to ``next_path`` afterwards."""
    return f"{settings.WEB_LOGIN_URL}?next={quote(next_path)}"


def login_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(login_url(request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapper
