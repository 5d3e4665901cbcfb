"""Action URLs (a button's POST) that a browser may still open with GET: a reload, a bookmark."""

from functools import wraps

from django.shortcuts import redirect


def post_only(back: str, *, keep: tuple[str, ...] = ()):
    """Run the view for a POST; send a GET to the page the button was on.

    ``back`` is that page's URL name and ``keep`` the URL arguments it shares with the action.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "POST":
                return redirect(back, **{name: kwargs[name] for name in keep})
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
