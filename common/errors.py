"""Domain errors raised by services and mapped to HTTP in one place.

Services raise these; ``common.api.errors.exception_handler`` turns them into
JSON responses that name the offending field, so views stay thin.
"""


class ServiceError(Exception):
    """A request that the service refuses; ``status`` is its HTTP code."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.retry_after = retry_after
        if code:
            self.code = code


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "permission_denied"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class TooManyRequests(ServiceError):
    """Asked again too soon; ``retry_after`` (seconds) becomes ``Retry-After``."""

    status = 429
    code = "throttled"


class Unavailable(ServiceError):
    """A dependency (another service, the broker) cannot answer now."""

    status = 503
    code = "unavailable"
