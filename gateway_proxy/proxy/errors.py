"""The gateway's own answers: JSON ``{"code", "detail"}`` with the right status."""

import json
from http import HTTPStatus


class EdgeError(Exception):
    """Raised anywhere in the pipeline; becomes a JSON error response."""

    def __init__(self, status: int, code: str, detail: str, *, headers: list[tuple[str, str]] | None = None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or []


class ClientBodyError(Exception):
    """The client's body could not be read or broke a limit: the client's failure, never the upstream's.

    Raised while the body is read (before or during the upstream call); ``error`` is the answer.
    """

    def __init__(self, error: EdgeError):
        super().__init__(error.detail)
        self.error = error


def bad_gateway(detail="The upstream service answered with something that is not valid HTTP."):
    return EdgeError(502, "bad_gateway", detail)


def unreachable(service: str):
    return EdgeError(502, "upstream_unreachable", f"The {service} service cannot be reached.")


def unavailable(code: str, detail: str, retry_after: int | None = None):
    headers = [("Retry-After", str(retry_after))] if retry_after else []
    return EdgeError(503, code, detail, headers=headers)


def timeout(service: str, seconds: float):
    return EdgeError(504, "upstream_timeout", f"The {service} service did not answer within {seconds:g} s.")


def too_large(limit: int):
    return EdgeError(413, "payload_too_large", f"The request body exceeds {limit} bytes.")


def incomplete_body():
    return EdgeError(
        400, "incomplete_body", "The request body ended before its declared length or could not be read."
    )


def status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def json_body(code: str, detail: str) -> bytes:
    return json.dumps({"code": code, "detail": detail}).encode()
