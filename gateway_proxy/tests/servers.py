"""Small real HTTP servers on loopback ports for the gateway's tests."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


class Upstream:
    """An upstream service: echoes requests as JSON unless told to misbehave.

    ``mode``: ``echo`` | ``json`` (answer ``status``/``body``) | ``slow`` (sleep
    ``delay`` then echo) | ``garbage`` (bytes that are not HTTP) | ``big``
    (a ``size``-byte body).
    """

    def __init__(self, name: str = "upstream"):
        self.name = name
        self.mode = "echo"
        self.status = 200
        self.body: object = {}
        self.delay = 0.0
        self.size = 0
        self.extra_headers: list[tuple[str, str]] = []
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def handle_any(self):
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    body = self.read_chunks()
                else:
                    length = int(self.headers.get("Content-Length") or 0)
                    body = self.rfile.read(length) if length else b""
                seen = {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers.items()),
                    "body": body,
                }
                outer.requests.append(seen)
                mode = outer.mode
                if mode == "garbage":
                    self.wfile.write(b"\x00\x01 this is not HTTP at all\r\n\r\n")
                    self.close_connection = True
                    return
                if mode == "slow":
                    time.sleep(outer.delay)
                if mode == "big":
                    payload, ctype = b"x" * outer.size, "application/octet-stream"
                elif mode == "json":
                    payload, ctype = json.dumps(outer.body).encode(), "application/json"
                else:
                    echo = {**seen, "body": body.decode("utf-8", "replace"), "service": outer.name}
                    payload, ctype = json.dumps(echo).encode(), "application/json"
                self.send_response(outer.status if mode == "json" else 200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in outer.extra_headers:
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            def read_chunks(self) -> bytes:
                chunks = []
                while size := int(self.rfile.readline().split(b";")[0], 16):
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                self.rfile.readline()
                return b"".join(chunks)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


_RSA_KEYS: list = []


def rsa_key(index: int):
    """RSA keys are slow to make: the tests share a few."""
    while len(_RSA_KEYS) <= index:
        _RSA_KEYS.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _RSA_KEYS[index]


class Issuer:
    """A minimal OIDC issuer: discovery, JWKS, introspection and refresh, with tokens minted by the test.

    Tokens in ``revoked`` are inactive at introspection; refresh tokens in
    ``revoked`` get no new tokens.
    """

    def __init__(self):
        self.keys = {}
        self.jwks_requests = 0
        self.introspections = 0
        self.revoked: set[str] = set()
        self.rotate()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status: int, body: dict):
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(parse_qsl(self.rfile.read(length).decode()))
                if self.path.endswith("/introspect"):
                    outer.introspections += 1
                    self._json(200, {"active": form.get("token") not in outer.revoked})
                elif self.path.endswith("/token") and form.get("grant_type") == "refresh_token":
                    if form.get("refresh_token") in outer.revoked:
                        self._json(400, {"error": "invalid_grant"})
                    else:
                        self._json(200, {"access_token": outer.token(), "expires_in": 300,
                                         "refresh_token": form["refresh_token"]})  # fmt: skip
                else:
                    self._json(400, {"error": "unsupported"})

            def do_GET(self):
                if self.path.endswith("/.well-known/openid-configuration"):
                    body = {
                        "issuer": outer.issuer,
                        "jwks_uri": f"{outer.issuer}/jwks",
                        "authorization_endpoint": f"{outer.issuer}/authorize",
                        "token_endpoint": f"{outer.issuer}/token",
                        "userinfo_endpoint": f"{outer.issuer}/userinfo",
                        "introspection_endpoint": f"{outer.issuer}/introspect",
                    }
                elif self.path.endswith("/jwks"):
                    outer.jwks_requests += 1
                    body = {"keys": [outer.public_jwk(kid) for kid in outer.published]}
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                raw = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}/o"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def rotate(self) -> str:
        kid = f"key-{len(self.keys) + 1}"
        self.keys[kid] = rsa_key(len(self.keys))
        self.current = kid
        self.published = list(self.keys)
        return kid

    def public_jwk(self, kid: str) -> dict:
        data = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.keys[kid].public_key()))
        return {**data, "kid": kid, "use": "sig", "alg": "RS256"}

    def token(
        self, *, sub="42", username="ada", roles=("learner",), aud="polycode-gateway", ttl=300, **extra
    ):
        now = int(time.time())
        claims = {
            "iss": self.issuer, "sub": sub, "aud": aud, "iat": now, "exp": now + ttl,
            "preferred_username": username, "email": f"{username}@example.com", "roles": list(roles),
            "polycode_uid": sub, **extra,
        }  # fmt: skip
        return jwt.encode(claims, self.keys[self.current], algorithm="RS256", headers={"kid": self.current})

    def close(self):
        self.server.shutdown()
        self.server.server_close()
