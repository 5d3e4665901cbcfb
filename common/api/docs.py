"""Swagger UI under the Content-Security-Policy: no inline script (split view), no inline style.

Behind the gateway a service's docs may sit under a rewritten prefix (``/api/runner/docs/`` is
the runner's ``/api/docs/``): the page then names its script and schema from the path the client
asked for (``X-Forwarded-Path``, set by the gateway, believed from trusted proxies only), so the
browser loads the runner's schema, not whatever service the gateway routes ``/api/schema/`` to.
"""

import posixpath

from django.urls import reverse
from drf_spectacular.plumbing import set_query_parameters
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView

FORWARDED_PATH = "HTTP_X_FORWARDED_PATH"


def public_url(request, path: str) -> str:
    """``path`` (a path of this service) as the client reaches it through the gateway."""
    public = request.META.get(FORWARDED_PATH, "")
    here = request.path
    if not public.startswith("/") or public == here:
        return path
    relative = posixpath.relpath(path, here if here.endswith("/") else posixpath.dirname(here))
    base = public if public.endswith("/") else posixpath.dirname(public) + "/"
    joined = posixpath.normpath(posixpath.join(base, relative))
    return joined + "/" if path.endswith("/") and not joined.endswith("/") else joined


class SwaggerUIView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        self.url_self = public_url(request, request.path)
        return super().get(request, *args, **kwargs)

    def _get_schema_url(self, request):
        schema_url = self.url or public_url(request, reverse(self.url_name))
        return set_query_parameters(
            url=schema_url, lang=request.GET.get("lang"), version=request.GET.get("version")
        )
