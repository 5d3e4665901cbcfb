"""The request target, made safe to route.

Only the path of the request target is ever used: an absolute-form target
(``GET http://elsewhere/x``) is reduced to its path, and the upstream host
always comes from the registry. Ambiguous paths are refused rather than
normalised, so the gateway and the upstream can never disagree on what was
asked: encoded slashes, backslashes and dots, dot segments, empty segments,
NUL and control characters.
"""

import re
from urllib.parse import quote, unquote, urlsplit

_ENCODED_FORBIDDEN = re.compile(r"%(2[fF]|5[cC]|2[eE]|00)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")
SAFE_CHARS = "/:@!$&'()*+,;=-._~"


class BadPath(ValueError):
    pass


def split_target(environ) -> tuple[str, str]:
    """(raw path, raw query) of the request target as sent by the client."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw is None:
        path = quote(environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace"), SAFE_CHARS)
        return path, environ.get("QUERY_STRING", "")
    if raw.startswith(("http://", "https://", "HTTP://", "HTTPS://")):
        parts = urlsplit(raw)
        return parts.path or "/", parts.query
    if not raw.startswith("/"):
        raise BadPath("The request target must be a path.")
    path, _, query = raw.partition("?")
    return path.partition("#")[0], query


def clean(raw_path: str) -> str:
    """The decoded, canonical path of ``raw_path``; raises ``BadPath`` if ambiguous."""
    if not raw_path.startswith("/") or raw_path.startswith("//"):
        raise BadPath("The path must start with a single slash.")
    if _ENCODED_FORBIDDEN.search(raw_path):
        raise BadPath("Encoded slashes, backslashes, dots and NUL are not allowed in the path.")
    try:
        path = unquote(raw_path, errors="strict")
    except UnicodeDecodeError as exc:
        raise BadPath("The path is not valid UTF-8.") from exc
    if _CONTROL.search(path):
        raise BadPath("Control characters and backslashes are not allowed in the path.")
    segments = path.split("/")[1:]
    if any(seg in (".", "..") for seg in segments) or "" in segments[:-1]:
        raise BadPath("Dot segments and empty segments are not allowed in the path.")
    return path


def encode(path: str) -> str:
    """``path`` percent-encoded for the upstream request line."""
    return quote(path, SAFE_CHARS)


def clean_query(raw_query: str) -> str:
    if _CONTROL.search(raw_query.replace("\\", "")) or " " in raw_query:
        raise BadPath("Control characters are not allowed in the query string.")
    return raw_query
