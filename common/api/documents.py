"""Data-step endpoints of the strangler: a service's export out, another service's export in.

Each side of a capability that moves data (the shop: the monolith's legacy shop and the shop
service) serves ``GET …/migration/export`` (its document) and ``POST …/migration/import``
(the other side's document; ``?dry_run=true`` imports, verifies and rolls back). Only the gateway
calling on its own behalf (``IsControlPlane``) reaches them: ``manage.py strangle`` moves the data
inside a step over HTTP, never by running another service's code or reading its tables.

The documents are ``contracts/`` models; a body that is not one is a 400 naming the fields.
``ExportCommand`` and ``ImportCommand`` write and read the same documents from ``manage.py``
for an operator working by hand.
"""

import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from pydantic import BaseModel, ValidationError
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import ServiceError
from common.identity.permissions import IsControlPlane

#: Largest document accepted (the export of a whole shop's history; Django's form limit does not apply).
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


class InvalidDocument(ServiceError):
    status = 400
    code = "invalid_document"


class DocumentTooLarge(ServiceError):
    status = 413
    code = "document_too_large"


def document_read(request, model: type[BaseModel]) -> BaseModel:
    """The request's JSON body as ``model``; ``InvalidDocument`` naming the first wrong fields."""
    raw = request._request.read(MAX_DOCUMENT_BYTES + 1)
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(f"At most {MAX_DOCUMENT_BYTES} bytes.")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise InvalidDocument(f"Not a {model.__name__} document: {first['msg']}", field=where) from None


class _DryRun(serializers.Serializer):
    dry_run = serializers.BooleanField(required=False, default=False)


class ExportApi(APIView):
    """``GET``: this side's export document (``export``, a ``staticmethod``, returns the contract model)."""

    permission_classes = [IsControlPlane]
    export: Callable[[], BaseModel]

    @extend_schema(exclude=True)  # the control plane's, not the public API's (docs/strangler.md)
    def get(self, request):
        document = self.export()
        return HttpResponse(document.model_dump_json(), content_type="application/json")


class ImportApi(APIView):
    """``POST``: the other side's ``document`` imported by ``importer`` (a ``staticmethod``;
    ``?dry_run=true``: verified, rolled back).

    200 ``{"ok": true, "dry_run", "report": [lines]}``; 409 with ``ok: false`` when the import
    found a problem or did not verify (nothing written).
    """

    permission_classes = [IsControlPlane]
    document: type[BaseModel]
    importer: Callable

    @extend_schema(exclude=True)
    def post(self, request):
        options = _DryRun(data=request.query_params)
        options.is_valid(raise_exception=True)
        dry_run = options.validated_data["dry_run"]
        document = document_read(request, self.document)
        report = self.importer(document=document, dry_run=dry_run)
        body = {"ok": report.ok, "dry_run": dry_run, "report": report.lines(dry_run=dry_run)}
        return Response(body, status=200 if report.ok else 409)


class ExportCommand(BaseCommand):
    """``manage.py NAME [--output FILE]``: ``export()``'s document as JSON on stdout or in FILE
    (``export`` and ``summary``, the line written on stderr, are ``staticmethod``s)."""

    export: Callable[[], BaseModel]
    summary: Callable[[BaseModel], str]

    def add_arguments(self, parser):
        parser.add_argument("--output", default="-", help="File to write; '-' for stdout.")

    def handle(self, *args, output: str = "-", **options):
        document = self.export()
        text = document.model_dump_json(indent=2)
        if output == "-":
            sys.stdout.write(text + "\n")
            return
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        self.stderr.write(f"{self.summary(document)} to {output}")


class ImportCommand(BaseCommand):
    """``manage.py NAME --source FILE|URL [--dry-run]``: the other side's ``document`` imported by
    ``importer`` (a ``staticmethod``), its report printed; an error when it does not verify."""

    document: type[BaseModel]
    importer: Callable

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", required=True, help="The other side's export: a file or an http(s) URL."
        )
        parser.add_argument("--dry-run", action="store_true", help="Import, verify and roll back.")

    def handle(self, *args, source: str, dry_run: bool = False, **options):
        try:
            document = self.document.model_validate_json(_read(source))
        except ValidationError as exc:
            raise CommandError(f"{source} is not a {self.document_name}: {exc}") from None
        report = self.importer(document=document, dry_run=dry_run)
        lines = report.lines(dry_run=dry_run)
        if not report.ok:
            raise CommandError("\n".join(lines))
        self.stdout.write("\n".join(lines))


def _read(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310 - http(s) only
            return response.read()
    path = Path(source)
    if not path.is_file():
        raise CommandError(f"no such file: {source}")
    return path.read_bytes()
