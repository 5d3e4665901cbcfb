"""HTTP API of the runner: thin views over ``services`` and ``selectors``."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import fields
from common.api.errors import exception_handler as common_exception_handler
from extracted.runner import sandbox
from extracted.runner.selectors import health_report, language_list
from extracted.runner.services import RunnerBusy, judge_execute, run_execute

IDEMPOTENCY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Repeating a request with the same key returns the first result without running again.",
)


def exception_handler(exc, context):
    """The shared JSON error shape, plus ``Retry-After`` when the run pool is full."""
    response = common_exception_handler(exc, context)
    if response is not None and isinstance(exc, RunnerBusy):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _limit_field(name: str) -> serializers.Field:
    kind, low, high = sandbox.BOUNDS[name]
    field_class = serializers.FloatField if kind is float else serializers.IntegerField
    return field_class(required=False, min_value=low, max_value=high)


class LimitsSerializer(serializers.Serializer):
    cpu_seconds = _limit_field("cpu_seconds")
    wall_seconds = _limit_field("wall_seconds")
    memory_mb = _limit_field("memory_mb")
    processes = _limit_field("processes")
    output_kb = _limit_field("output_kb")
    file_size_kb = _limit_field("file_size_kb")
    open_files = _limit_field("open_files")

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                known = ", ".join(self.fields)
                raise serializers.ValidationError(
                    {name: [f"Unknown limit; known: {known}."] for name in unknown}
                )
        return super().to_internal_value(data)


class TextField(fields.TextField):
    """Source code and input as sent: blank allowed, nothing trimmed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


class FileSerializer(serializers.Serializer):
    name = serializers.RegexField(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$", max_length=64)
    content = TextField()


class RunResultSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=sandbox.VERDICTS)
    stdout = serializers.CharField()
    stderr = serializers.CharField()
    exit_code = serializers.IntegerField(allow_null=True)
    signal = serializers.IntegerField(allow_null=True)
    cpu_ms = serializers.IntegerField()
    wall_ms = serializers.IntegerField()
    memory_kb = serializers.IntegerField()
    stdout_truncated = serializers.BooleanField()
    stderr_truncated = serializers.BooleanField()
    compile_output = serializers.CharField()


def _source_field():
    return TextField(max_length=settings.RUNNER_SANDBOX["max_source_bytes"])


def _stdin_field(**kwargs):
    return TextField(max_length=settings.RUNNER_SANDBOX["max_stdin_bytes"], **kwargs)


class JudgeTestSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=64)
    stdin = _stdin_field(default="")
    expected_stdout = _stdin_field()


class LanguagesApi(APIView):
    class LanguageSerializer(serializers.Serializer):
        id = serializers.CharField()
        name = serializers.CharField()
        version = serializers.CharField()
        source_file = serializers.CharField()
        compiled = serializers.BooleanField()

    @extend_schema(
        responses={200: inline_serializer("LanguageList", {"languages": LanguageSerializer(many=True)})},
        summary="Languages and their versions",
    )
    def get(self, request):
        return Response({"languages": self.LanguageSerializer(language_list(), many=True).data})


class RunApi(APIView):
    class RunInputSerializer(serializers.Serializer):
        language = serializers.CharField(max_length=32)
        source = _source_field()
        files = FileSerializer(many=True, required=False)
        stdin = _stdin_field(default="")
        limits = LimitsSerializer(required=False)

    @extend_schema(
        request=RunInputSerializer,
        responses={200: RunResultSerializer},
        parameters=[IDEMPOTENCY_HEADER],
        summary="Compile if needed and run a program once",
    )
    def post(self, request):
        data = _validated(self.RunInputSerializer, request)
        result, replayed = run_execute(
            **data, idempotency_key=request.headers.get("Idempotency-Key"), owner=_owner(request)
        )
        return _answer(RunResultSerializer(result).data, replayed)


class JudgeApi(APIView):
    class TestResultSerializer(RunResultSerializer):
        id = serializers.CharField()
        compile_output = None

    class SummarySerializer(serializers.Serializer):
        verdict = serializers.ChoiceField(choices=sandbox.VERDICTS)
        passed = serializers.IntegerField()
        failed = serializers.IntegerField()
        total = serializers.IntegerField()
        cpu_ms = serializers.IntegerField()
        wall_ms = serializers.IntegerField()
        memory_kb = serializers.IntegerField()

    class JudgeOutputSerializer(serializers.Serializer):
        verdict = serializers.ChoiceField(choices=sandbox.VERDICTS)
        compile_output = serializers.CharField()
        tests = serializers.ListField(child=serializers.DictField())
        summary = serializers.DictField()

    class JudgeInputSerializer(serializers.Serializer):
        language = serializers.CharField(max_length=32)
        source = _source_field()
        files = FileSerializer(many=True, required=False)
        tests = serializers.ListField(
            child=JudgeTestSerializer(), min_length=1, max_length=settings.RUNNER_SANDBOX["max_tests"]
        )
        limits = LimitsSerializer(required=False)
        compare = serializers.ChoiceField(choices=sandbox.COMPARE_MODES, default="lines")

    @extend_schema(
        request=JudgeInputSerializer,
        responses={200: JudgeOutputSerializer},
        parameters=[IDEMPOTENCY_HEADER],
        summary="Compile once and run a program against tests",
    )
    def post(self, request):
        data = _validated(self.JudgeInputSerializer, request)
        result, replayed = judge_execute(
            **data, idempotency_key=request.headers.get("Idempotency-Key"), owner=_owner(request)
        )
        body = {
            "verdict": result["verdict"],
            "compile_output": result["compile_output"],
            "tests": self.TestResultSerializer(result["tests"], many=True).data,
            "summary": self.SummarySerializer(result["summary"]).data,
        }
        return _answer(body, replayed)


class HealthApi(APIView):
    # A probe of this process (not reached through the gateway): not in the public API's schema.
    @extend_schema(exclude=True)
    def get(self, request):
        return Response(health_report())


def _owner(request) -> str:
    """Whose Idempotency-Keys these are: the asserted user, or the calling service itself."""
    user = getattr(request, "user", None)
    return str(getattr(user, "pk", None) or "")


def _validated(serializer_class, request) -> dict:
    if not isinstance(request.data, dict):
        raise serializers.ValidationError({"non_field_errors": ["Expected a JSON object."]})
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    if "limits" in data:
        data["limits"] = dict(data["limits"])
    if "tests" in data:
        data["tests"] = [dict(t) for t in data["tests"]]
    if "files" in data:
        data["files"] = [dict(f) for f in data["files"]]
    return data


def _answer(body: dict, replayed: bool) -> Response:
    response = Response(body, status=status.HTTP_200_OK)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
