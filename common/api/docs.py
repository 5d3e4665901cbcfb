"""Swagger UI under the Content-Security-Policy: no inline script (split view), no inline style."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerUIView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
