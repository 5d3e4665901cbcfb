"""WebSocket paths of the pad (behind the gateway route ``/pad/ws/``) and the process's health."""

from django.urls import path

from monolith.interviews.pad.consumers import PadConsumer

websocket_urlpatterns = [
    path("pad/ws/i/<uuid:public_id>", PadConsumer.as_asgi(), {"role": "interviewer"}),
    path("pad/ws/c/<str:token>", PadConsumer.as_asgi(), {"role": "candidate"}),
]


async def health(scope, receive, send):
    """``/health`` and ``/ready`` answer 200 while the process serves; any other HTTP request 404
    (pages are on the WSGI application)."""
    ok = scope["path"] in ("/health", "/ready")
    body = b'{"status": "ok"}' if ok else b'{"code": "not_found", "detail": "WebSocket only."}'
    await send(
        {
            "type": "http.response.start",
            "status": 200 if ok else 404,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
