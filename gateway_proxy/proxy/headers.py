"""Which headers cross the gateway, in each direction."""

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# Set by the gateway itself; a client's own values are never passed on.
GATEWAY_SET = frozenset(
    {
        "host",
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
        "x-forwarded-port",
        "x-forwarded-path",
        "forwarded",
        "x-real-ip",
        "x-request-id",
        "x-polycode-identity",
        "content-length",
        # Trace context: the gateway starts each trace (common/observability/tracing.py).
        "traceparent",
        "tracestate",
    }
)
GATEWAY_COOKIES = ("gw_sessionid", "gw_csrftoken", "gw_canary")


def connection_tokens(value: str | None) -> set[str]:
    return {token.strip().lower() for token in (value or "").split(",") if token.strip()}


def request_headers(environ) -> dict[str, str]:
    """The client's end-to-end headers from a WSGI environ (hop-by-hop and gateway-set removed)."""
    named_in_connection = connection_tokens(environ.get("HTTP_CONNECTION"))
    headers = {}
    for key, value in environ.items():
        if not key.startswith("HTTP_"):
            continue
        name = key[5:].replace("_", "-").lower()
        if (
            name in HOP_BY_HOP
            or name in GATEWAY_SET
            or name in named_in_connection
            or name.startswith("proxy-")
        ):
            continue
        if name == "authorization" and value[:7].lower() == "bearer ":
            continue  # consumed at the edge: upstreams trust the assertion only
        if name == "cookie":
            value = strip_gateway_cookies(value)
            if not value:
                continue
        headers[name.title()] = value
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    return headers


def strip_gateway_cookies(cookie_header: str) -> str:
    if "gw_" not in cookie_header:
        return cookie_header
    kept = [
        part
        for part in cookie_header.split(";")
        if part.strip() and not part.strip().startswith(tuple(f"{name}=" for name in GATEWAY_COOKIES))
    ]
    return ";".join(kept).strip()


def response_headers(items) -> list[tuple[str, str]]:
    """Upstream response headers minus hop-by-hop ones (and those ``Connection`` names).

    A body the upstream framed by chunks is passed on decoded: a ``Content-Length`` beside
    its ``Transfer-Encoding`` would mis-frame it for the client, so it is dropped too.
    """
    items = list(items)
    named = set()
    for name, value in items:
        if name.lower() == "connection":
            named |= connection_tokens(value)
        elif name.lower() == "transfer-encoding":
            named.add("content-length")
    return [
        (name, value)
        for name, value in items
        if name.lower() not in HOP_BY_HOP
        and name.lower() not in named
        and not name.lower().startswith("proxy-")
    ]
