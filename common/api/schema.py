"""The one JSON error shape (``common.api.errors``), documented on every operation of every schema.

Clients reach the services through the gateway, whose own refusals (401, 403,
404, 413, 429) have the same ``{"code", "detail"}`` body: the schema says so, and
API fuzzing checks every such answer against it.
"""

ERROR = {
    "type": "object",
    "description": "Every PolyCode API error; ``fields`` names the input fields at fault.",
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": True},
    },
    "required": ["code", "detail"],
}

ERRORS = {
    "400": "Invalid input.",
    "401": "Not authenticated, or the credentials were refused.",
    "403": "Not allowed.",
    "404": "Not found.",
    "413": "The request body is too large.",
    "429": "Too many requests; Retry-After says when to try again.",
}


def document_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: the error responses an operation does not document itself."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(status, {"description": description, "content": reference})
    return result
