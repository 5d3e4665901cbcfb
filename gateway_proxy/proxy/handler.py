"""The request path of the gateway: from a WSGI environ to the upstream's answer.

Order: request id -> method and Host checks -> safe path -> route (an Upgrade only on a
WebSocket route, then proxied by ``websocket.py`` after the checks below) -> per-IP
rate limit -> identity (bearer token or session) -> CSRF origin check for
cookie-authenticated writes -> per-user rate limit -> body size -> side
(legacy / extracted / canary / shadow) -> upstream call with a fresh identity
assertion per attempt -> response (buffered when small, streamed otherwise) ->
counters and access log.

Nothing here queries the database on the common path: the route table is a
cached snapshot, tokens are verified against cached keys (and remembered),
and rate limits live in Redis or in memory.
"""

import hashlib
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http.request import split_domain_port, validate_host
from urllib3.exceptions import HTTPError, ReadTimeoutError

from common.identity import proxies, query_tokens, request_ids
from common.identity.assertion import HEADER as ASSERTION_HEADER
from common.identity.assertion import issue
from common.observability import logs, metrics, tracing
from gateway_proxy import shadow
from gateway_proxy.auth.identity import authenticate, cookie_value, to_identity
from gateway_proxy.metrics import traffic
from gateway_proxy.proxy import errors, headers, internal, paths, websocket
from gateway_proxy.proxy.errors import ClientBodyError, EdgeError
from gateway_proxy.proxy.upstream import upstreams
from gateway_proxy.ratelimit import enforce, ip_rules, user_rules
from gateway_proxy.routing import SAFE_METHODS, RouteSnapshot, Target, route_table

logger = logging.getLogger("gateway.access")
error_logger = logging.getLogger(__name__)

ALLOWED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
CANARY_COOKIE = "gw_canary"
_VISITOR_ID = re.compile(r"^[0-9a-f]{16,64}$")
# The visitor id in the canary cookie is signed (SECRET_KEY): a visitor cannot pick
# the id, hence the side of a canary, by writing the cookie themselves.
_canary_signer = signing.Signer(salt="gateway.canary-visitor")


def visitor_id(cookie: str | None) -> str | None:
    """The visitor id the gateway signed into ``cookie``, or ``None`` (absent, forged, malformed)."""
    if not cookie:
        return None
    try:
        visitor = _canary_signer.unsign(cookie)
    except signing.BadSignature:
        return None
    return visitor if _VISITOR_ID.match(visitor) else None


CHUNK = 64 * 1024


@dataclass
class EdgeResponse:
    status: int
    headers: list[tuple[str, str]]
    body: Iterable[bytes]
    service: str = "gateway"
    route: RouteSnapshot | None = None
    extra: dict = field(default_factory=dict)


def error_response(exc: EdgeError) -> EdgeResponse:
    body = errors.json_body(exc.code, exc.detail)
    hdrs = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *exc.headers]
    return EdgeResponse(exc.status, hdrs, [body])


class StreamBody:
    """An upstream body passed on chunk by chunk; the connection is released at the end."""

    def __init__(self, response):
        self.response = response
        self.done = False

    def __iter__(self):
        yield from self.response.stream(CHUNK)
        self.done = True

    def close(self):
        if not self.done:
            self.response.close()  # unread data: this connection cannot be reused
        self.response.release_conn()


def _read_client(stream, size: int) -> bytes:
    """Up to ``size`` bytes of the client's body; ``ClientBodyError`` (400) when reading it fails."""
    try:
        return stream.read(size)
    except Exception as exc:  # reset, timed out, broken chunked framing: the client's side failed
        raise ClientBodyError(errors.incomplete_body()) from exc


def _stream_input(stream, remaining: int):
    while remaining > 0:
        data = _read_client(stream, min(CHUNK, remaining))
        if not data:
            raise ClientBodyError(errors.incomplete_body())
        remaining -= len(data)
        yield data


def _stream_chunked(stream, first: bytes, limit: int):
    """A chunked body past the buffer: ``first``, then the rest; 413 (connection dropped) past ``limit``."""
    sent = len(first)
    yield first
    while data := _read_client(stream, CHUNK):
        sent += len(data)
        if sent > limit:
            raise ClientBodyError(errors.too_large(limit))
        yield data


class EdgeHandler:
    def __call__(self, environ) -> EdgeResponse:
        started = time.perf_counter()
        request_id = request_ids.from_header(environ.get(request_ids.META_KEY))
        token = request_ids.current.set(request_id)
        try:
            try:
                response = self.handle(environ, request_id)
            except EdgeError as exc:
                response = error_response(exc)
            except Exception:
                error_logger.exception("gateway error")
                response = error_response(EdgeError(500, "server_error", "Internal gateway error."))
            response.headers.append((request_ids.HEADER, request_id))
            route = response.route
            traffic.request(
                prefix=route.prefix if route else "-", service=response.service, status=response.status
            )
            metrics.gateway_answered(
                route=route,
                service=response.service,
                status=response.status,
                seconds=time.perf_counter() - started,
            )
            if settings.GATEWAY_ACCESS_LOG:
                logger.info(
                    "%s %s %s %s %.1fms",
                    environ.get("REQUEST_METHOD"),
                    environ.get("PATH_INFO"),
                    response.status,
                    response.service,
                    (time.perf_counter() - started) * 1000,
                )
            return response
        finally:
            request_ids.current.reset(token)
            logs.clear()

    # -- the pipeline ----------------------------------------------------------------
    def handle(self, environ, request_id: str) -> EdgeResponse:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if method not in ALLOWED_METHODS:
            raise EdgeError(405, "method_not_allowed", f"Method {method} is not allowed.")
        self.check_host(environ)
        try:
            raw_path, raw_query = paths.split_target(environ)
            path = paths.clean(raw_path)
            query = paths.clean_query(raw_query)
        except paths.BadPath as exc:
            raise EdgeError(400, "invalid_path", str(exc)) from exc
        route = route_table.match(path)
        if route is None:
            raise EdgeError(404, "no_route", f"No service answers {path}.")
        try:
            return self.forward(environ, request_id, method, path, query, route)
        except EdgeError as exc:
            response = error_response(exc)
            response.route = route
            response.service = exc.__dict__.get("service", "gateway")
            return response

    def forward(self, environ, request_id, method, path, query, route: RouteSnapshot) -> EdgeResponse:
        upgrade = websocket.requested(environ)
        if upgrade and not route.websocket:
            raise websocket.refused()
        client_ip = self.client_ip(environ)
        enforce(ip_rules(route, client_ip=client_ip))
        claims, how = authenticate(environ)
        if route.auth_required and claims is None:
            raise EdgeError(
                401,
                "not_authenticated",
                "Log in first.",
                headers=[("WWW-Authenticate", 'Bearer realm="polycode"')],
            )
        if how == "session" and method not in SAFE_METHODS:
            self.check_origin(environ)
        if upgrade and (how == "session" or environ.get("HTTP_ORIGIN")):
            self.check_origin(environ)  # a page of another site must not open a socket with our cookie
        if claims:
            enforce(user_rules(route, user_id=claims["user_id"]))
        body, length = self.read_body(environ, route)

        new_visitor = []

        def canary_key() -> str:
            if claims:
                return "u:" + claims["user_id"]
            visitor = visitor_id(cookie_value(environ.get("HTTP_COOKIE", ""), CANARY_COOKIE))
            if visitor is None:
                visitor = hashlib.sha256(f"visitor:{client_ip}".encode()).hexdigest()[:32]
                new_visitor.append(_canary_signer.sign(visitor))
            return "v:" + visitor

        target, shadow_target = route.choose(method=method, canary_key=canary_key)
        if target is None:
            raise EdgeError(503, "no_instance", f"Route {route.prefix} has no service for mode {route.mode}.")
        internal.refuse_internal(route, (target, shadow_target), path)
        identity = to_identity(claims, request_id)
        logs.bind_user(identity.user_id)
        sent = headers.request_headers(environ)
        sent.update(self.forwarded_headers(environ, client_ip))
        # The path the client asked for: a service under a rewritten prefix links its own pages with it.
        sent["X-Forwarded-Path"] = paths.encode(path)
        sent[request_ids.HEADER] = request_id
        if length is not None:
            sent["Content-Length"] = str(length)
        upstream_path = paths.encode(route.upstream_path(target, path)) + (f"?{query}" if query else "")
        ttl = settings.GATEWAY_ASSERTION_TTL

        def assert_identity(h, service=target.service):
            h[ASSERTION_HEADER] = issue(identity, audience=service, ttl=ttl)

        if upgrade:
            assert_identity(sent)
            try:
                status, out, body, upgraded = websocket.proxy(
                    environ,
                    method=method,
                    service=target.service,
                    path=upstream_path,
                    sent=sent,
                    timeout=route.timeout,
                    request_id=request_id,
                )
            except EdgeError as exc:
                exc.service = target.service
                raise
            extra = {"upgraded": upgraded}
            return EdgeResponse(status, out, body, service=target.service, route=route, extra=extra)
        try:
            attempt = upstreams.send(
                service=target.service,
                method=method,
                path=upstream_path,
                headers=sent,
                body=body,
                timeout=route.timeout,
                retries=route.retries,
                headers_for_attempt=assert_identity,
            )
        except EdgeError as exc:
            exc.service = target.service
            raise
        upstream = attempt.response
        out_headers = headers.response_headers(upstream.headers.items())
        if new_visitor:
            attributes = "Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"
            if settings.SESSION_COOKIE_SECURE:
                attributes += "; Secure"
            out_headers.append(("Set-Cookie", f"{CANARY_COOKIE}={new_visitor[0]}; {attributes}"))
        data = self.read_small(upstream, method, target.service)
        if shadow_target is not None and data is not None:
            shadow.shadow_runner.submit(
                self.shadow_call,
                route,
                shadow_target,
                method,
                path,
                query,
                sent,
                identity,
                upstream.status,
                data,
            )
        response_body = [data] if data is not None else StreamBody(upstream)
        return EdgeResponse(upstream.status, out_headers, response_body, service=target.service, route=route)

    # -- steps -------------------------------------------------------------------------
    @staticmethod
    def check_host(environ) -> None:
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        domain, _ = split_domain_port(host)
        if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
            raise EdgeError(400, "invalid_host", "This host is not served here.")

    @staticmethod
    def check_origin(environ) -> None:
        origin = environ.get("HTTP_ORIGIN") or environ.get("HTTP_REFERER") or ""
        netloc = urlsplit(origin).netloc if origin else ""
        trusted = {urlsplit(o).netloc for o in getattr(settings, "CSRF_TRUSTED_ORIGINS", [])}
        if not netloc or (netloc != environ.get("HTTP_HOST") and netloc not in trusted):
            raise EdgeError(403, "csrf_failed", "Cross-site request refused (Origin does not match).")

    @staticmethod
    def client_ip(environ) -> str:
        return proxies.client_address(environ.get("REMOTE_ADDR", ""), environ.get("HTTP_X_FORWARDED_FOR", ""))

    @staticmethod
    def forwarded_headers(environ, client_ip: str) -> dict[str, str]:
        """The gateway's own X-Forwarded-*: a client's are kept only when its peer is a trusted proxy."""
        remote = environ.get("REMOTE_ADDR", "")
        proto = environ.get("wsgi.url_scheme", "http")
        chain = remote
        if proxies.is_trusted(remote):
            if environ.get("HTTP_X_FORWARDED_FOR"):
                chain = f"{environ['HTTP_X_FORWARDED_FOR']}, {remote}"
            if environ.get("HTTP_X_FORWARDED_PROTO") in ("http", "https"):
                proto = environ["HTTP_X_FORWARDED_PROTO"]
        forwarded = {"X-Forwarded-For": chain, "X-Forwarded-Proto": proto}
        if environ.get("HTTP_HOST"):
            forwarded["X-Forwarded-Host"] = environ["HTTP_HOST"]
        return forwarded

    @staticmethod
    def read_body(environ, route: RouteSnapshot):
        """(body, length): ``None``, bytes (replayable) or a stream; 413 past the limit.

        A stream with a length is sent with it; one without (a large chunked body) is sent chunked.
        """
        limit = route.max_body_bytes or settings.GATEWAY_MAX_BODY_BYTES
        raw_length = environ.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if raw_length and chunked:
            raise EdgeError(400, "ambiguous_length", "Content-Length and Transfer-Encoding together.")
        stream = environ.get("wsgi.input")
        if raw_length:
            if not raw_length.isdigit():
                raise EdgeError(400, "invalid_length", "Content-Length must be a number.")
            length = int(raw_length)
            if length > limit:
                raise errors.too_large(limit)
            if length == 0:
                return None, 0
            if length <= settings.GATEWAY_BUFFER_BYTES:
                try:
                    data = _read_client(stream, length)
                except ClientBodyError as exc:
                    raise exc.error from exc
                if len(data) != length:
                    raise errors.incomplete_body()
                return data, length
            return _stream_input(stream, length), length
        if chunked and stream is not None:
            # Small bodies are read whole and sent with their length (replayable, as above);
            # larger ones are streamed on, chunked.
            buffered = min(limit, settings.GATEWAY_BUFFER_BYTES)
            try:
                data = _read_client(stream, buffered + 1)
            except ClientBodyError as exc:
                raise exc.error from exc
            if len(data) <= buffered:
                return data, len(data)
            if len(data) > limit:
                raise errors.too_large(limit)
            return _stream_chunked(stream, data, limit), None
        return None, None

    @staticmethod
    def read_small(upstream, method: str, service: str) -> bytes | None:
        """The whole body when it is empty or small (and the connection released), else ``None``."""
        if method == "HEAD" or upstream.status in (204, 304):
            upstream.release_conn()
            return b""
        raw_length = upstream.headers.get("Content-Length")
        if raw_length is None or not raw_length.isdigit() or int(raw_length) > settings.GATEWAY_BUFFER_BYTES:
            return None
        try:
            data = upstream.read()
        except ReadTimeoutError as exc:
            upstream.close()
            raise errors.timeout(service, 0) from exc
        except (HTTPError, OSError) as exc:
            upstream.close()
            raise errors.bad_gateway(f"The {service} service broke off its answer.") from exc
        finally:
            upstream.release_conn()
        return data

    def shadow_call(
        self, route, target: Target, method, path, query, sent, identity, legacy_status, legacy_body
    ):
        upstream_path = paths.encode(route.upstream_path(target, path)) + (f"?{query}" if query else "")
        headers_copy = {k: v for k, v in sent.items() if k != "Content-Length"}

        def assert_identity(h):
            h[ASSERTION_HEADER] = issue(identity, audience=target.service, ttl=settings.GATEWAY_ASSERTION_TTL)

        try:
            attempt = upstreams.send(
                service=target.service,
                method=method,
                path=upstream_path,
                headers=headers_copy,
                body=None,
                timeout=route.timeout,
                retries=0,
                headers_for_attempt=assert_identity,
            )
            try:
                extracted_status, extracted_body = attempt.response.status, attempt.response.read()
            finally:
                attempt.response.release_conn()
        except EdgeError as exc:
            extracted_status, extracted_body = exc.status, errors.json_body(exc.code, exc.detail)
        shadow.record(
            route=route,
            target=target,
            method=method,
            path=path + (f"?{query}" if query else ""),
            request_id=identity.request_id,
            legacy_status=legacy_status,
            legacy_body=legacy_body,
            extracted_status=extracted_status,
            extracted_body=extracted_body,
        )


class GatewayApplication:
    """The gateway's WSGI entry: its own pages go to Django, everything else is proxied."""

    def __init__(self, django_app, handler: EdgeHandler | None = None):
        self.django_app = django_app
        self.handler = handler or EdgeHandler()
        self.own_prefixes = tuple(settings.GATEWAY_OWN_PREFIXES)
        self.own_paths = frozenset(settings.GATEWAY_OWN_PATHS)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if query_tokens.has_token(environ.get("QUERY_STRING", "")):
            # Refused before it is logged, proxied or seen by the gateway's own pages.
            response = error_response(EdgeError(400, query_tokens.CODE, query_tokens.DETAIL))
            start_response(errors.status_line(response.status), response.headers)
            return response.body
        if path in self.own_paths or path.startswith(self.own_prefixes):
            return self.django_app(environ, start_response)
        response = tracing.edge(self.handler, environ)
        if response.extra.get("upgraded"):
            return websocket.handled(environ)
        start_response(errors.status_line(response.status), response.headers)
        return response.body
