"""A faithful double of the Consul agent HTTP endpoints the registry uses.

Consul's agent cannot run on the test machines, so the registry and the
registrar are tested against this server, which implements the same paths,
methods, payloads and status codes as the real agent for:

- ``PUT /v1/agent/service/register`` (with ``Check``/``Checks``, case-insensitive keys)
- ``PUT /v1/agent/check/pass/<id>``, ``PUT /v1/agent/check/fail/<id>``
- ``PUT /v1/agent/service/deregister/<id>``
- ``GET /v1/health/service/<name>[?passing]`` (HTTP checks are run when asked;
  TTL checks start critical, as Consul's do, until passed)
- ``GET /v1/catalog/service/<name>``
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests


def _lower(d):
    return {k.lower(): v for k, v in d.items()} if isinstance(d, dict) else d


class ConsulDouble:
    def __init__(self):
        self.services: dict[str, dict] = {}
        self.checks: dict[str, dict] = {}
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body=None, text=None):
                raw = json.dumps(body).encode() if body is not None else (text or "").encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if body is not None else "text/plain")
                self.send_header("X-Consul-Index", "42")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self):
                double.route(self, "GET")

            def do_PUT(self):
                double.route(self, "PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # -- endpoints -----------------------------------------------------------------
    def route(self, handler, method):
        parts = urlsplit(handler.path)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        self.calls.append((method, path))
        body = b""
        if method == "PUT":
            length = int(handler.headers.get("Content-Length") or 0)
            body = handler.rfile.read(length) if length else b""
        agent_put = path.startswith("/v1/agent/")
        if agent_put and method != "PUT":
            return handler._send(405, text="method GET not allowed")
        if path == "/v1/agent/service/register":
            return self.register(handler, body, query)
        if path.startswith("/v1/agent/check/pass/"):
            return self.set_ttl(handler, path.rsplit("/", 1)[1], "passing")
        if path.startswith("/v1/agent/check/fail/"):
            return self.set_ttl(handler, path.rsplit("/", 1)[1], "critical")
        if path.startswith("/v1/agent/service/deregister/"):
            return self.deregister(handler, path.rsplit("/", 1)[1])
        if path.startswith("/v1/health/service/") and method == "GET":
            return handler._send(200, self.health(path.rsplit("/", 1)[1], passing="passing" in query))
        if path.startswith("/v1/catalog/service/") and method == "GET":
            name = path.rsplit("/", 1)[1]
            return handler._send(
                200, [self._catalog_json(s) for s in self.services.values() if s["name"] == name]
            )
        return handler._send(404, text="404 page not found")

    def register(self, handler, body, query):
        try:
            payload = _lower(json.loads(body or b"{}"))
        except ValueError:
            return handler._send(400, text="Request decode failed")
        if not payload.get("name"):
            return handler._send(400, text="Missing service name")
        service_id = payload.get("id") or payload["name"]
        checks = [_lower(c) for c in (payload.get("checks") or [])]
        if payload.get("check"):
            checks.append(_lower(payload["check"]))
        with self.lock:
            if "replace-existing-checks" in query:
                for check_id in [c for c, v in self.checks.items() if v["service_id"] == service_id]:
                    del self.checks[check_id]
            self.services[service_id] = {
                "id": service_id,
                "name": payload["name"],
                "address": payload.get("address", ""),
                "port": payload.get("port", 0),
                "tags": payload.get("tags") or [],
                "meta": payload.get("meta") or {},
            }
            for n, check in enumerate(checks, start=1):
                check_id = check.get("checkid") or check.get("id") or f"service:{service_id}:{n}"
                self.checks[check_id] = {
                    "service_id": service_id,
                    "kind": "ttl" if check.get("ttl") else "http" if check.get("http") else "other",
                    "http": check.get("http"),
                    "status": check.get("status", "critical"),
                    "notes": "",
                }
        return handler._send(200, text="")

    def set_ttl(self, handler, check_id, status):
        with self.lock:
            check = self.checks.get(check_id)
            if check is None:
                return handler._send(404, text=f'CheckID "{check_id}" does not have associated TTL')
            if check["kind"] != "ttl":
                return handler._send(500, text=f'CheckID "{check_id}" does not have associated TTL')
            check["status"] = status
        return handler._send(200, text="")

    def deregister(self, handler, service_id):
        with self.lock:
            if service_id not in self.services:
                return handler._send(404, text=f'Unknown service ID "{service_id}"')
            del self.services[service_id]
            for check_id in [c for c, v in self.checks.items() if v["service_id"] == service_id]:
                del self.checks[check_id]
        return handler._send(200, text="")

    def health(self, name, *, passing):
        entries = []
        for service in list(self.services.values()):
            if service["name"] != name:
                continue
            checks = [
                {"CheckID": cid, "ServiceID": service["id"], "Status": self._status(check)}
                for cid, check in list(self.checks.items())
                if check["service_id"] == service["id"]
            ]
            checks.append({"CheckID": "serfHealth", "ServiceID": "", "Status": "passing"})
            if passing and any(c["Status"] != "passing" for c in checks):
                continue
            entries.append(
                {
                    "Node": {"Node": "double", "Address": "127.0.0.1"},
                    "Service": {
                        "ID": service["id"],
                        "Service": service["name"],
                        "Tags": service["tags"],
                        "Address": service["address"],
                        "Port": service["port"],
                        "Meta": service["meta"],
                    },
                    "Checks": checks,
                }
            )
        return entries

    @staticmethod
    def _status(check):
        if check["kind"] != "http":
            return check["status"]
        try:
            ok = requests.get(check["http"], timeout=0.5).status_code < 300
        except requests.RequestException:
            ok = False
        return "passing" if ok else "critical"

    @staticmethod
    def _catalog_json(service):
        return {
            "Node": "double",
            "Address": "127.0.0.1",
            "ServiceID": service["id"],
            "ServiceName": service["name"],
            "ServiceAddress": service["address"],
            "ServicePort": service["port"],
            "ServiceTags": service["tags"],
            "ServiceMeta": service["meta"],
        }

    # -- helpers for tests --------------------------------------------------------------
    def add_instance(self, name, port, *, address="127.0.0.1", passing=True, service_id=None):
        service_id = service_id or f"{name}-{port}"
        self.services[service_id] = {
            "id": service_id,
            "name": name,
            "address": address,
            "port": port,
            "tags": [],
            "meta": {},
        }
        self.checks[f"service:{service_id}"] = {
            "service_id": service_id,
            "kind": "ttl",
            "http": None,
            "status": "passing" if passing else "critical",
            "notes": "",
        }
        return service_id
