"""Learning API: thin views over selectors and services.

Each view validates its input with a nested input serializer, calls one
service or selector and answers with a nested output serializer. Errors are
mapped to JSON in ``common.api.errors``.

Hidden validators: every output that may carry a validator's data or a
program's output on it goes through ``ValidatorOutputSerializer`` or
``ResultOutputSerializer``, which reduce a hidden validator to its id,
position, ``hidden: true`` (and pass/fail) unless the request's
``ValidatorReveal`` (in the serializer context) allows it.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.fields import ChoiceField, SlugField, TextField
from common.api.pagination import PageNumberPagination, paginated
from common.errors import NotFound
from monolith.learning import selectors, services
from monolith.learning.models import (
    MAX_CODE_BYTES,
    Content,
    EditorSetting,
    Module,
    ProgrammingLanguage,
    Validator,
)
from monolith.learning.rendering import markdown_to_html

MAX_REWARD = 1_000_000
MAX_POSITION = 1_000_000
MAX_BODY = 200_000
MAX_LINES = 10_000
MAX_LINE = 10_000


# --- fields -----------------------------------------------------------------


def _max_bytes(limit: int):
    def check(value: str) -> None:
        if len(value.encode("utf-8")) > limit:
            raise serializers.ValidationError(f"Must be at most {limit} bytes.")

    return check


def _lines_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=TextField(allow_blank=True, trim_whitespace=False, max_length=MAX_LINE),
        max_length=MAX_LINES,
        **kwargs,
    )


def _code_field(**kwargs) -> TextField:
    return TextField(
        trim_whitespace=False, max_length=MAX_CODE_BYTES, validators=[_max_bytes(MAX_CODE_BYTES)], **kwargs
    )


# --- helpers ----------------------------------------------------------------


class StaffWrites(permissions.BasePermission):
    """Anyone signed in reads; only staff write."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or request.user.is_staff


class IsStaff(permissions.IsAdminUser):
    pass


# --- output serializers shared by several views -------------------------------


class ValidatorOutputSerializer(serializers.Serializer):
    """A validator as a learner may see it: a hidden one shrinks to id, position, ``hidden``."""

    id = serializers.IntegerField()
    position = serializers.IntegerField()
    hidden = serializers.BooleanField(source="is_hidden")
    stdin = serializers.ListField(child=serializers.CharField(), required=False)
    expected_stdout = serializers.ListField(child=serializers.CharField(), required=False)

    def to_representation(self, instance):
        reveal = self.context["reveal"]
        if not reveal.shows(validator_id=instance.id, hidden=instance.is_hidden):
            return {"id": instance.id, "position": instance.position, "hidden": True}
        return super().to_representation(instance)


class ResultOutputSerializer(serializers.Serializer):
    """One validator's judgement of a run; a hidden one shows only whether it passed.

    ``instance`` is a stored result dict. A result counts as hidden when it
    was hidden at the time of the run *or* its validator is hidden now.
    """

    validator_id = serializers.IntegerField(allow_null=True)
    position = serializers.IntegerField()
    hidden = serializers.BooleanField()
    passed = serializers.BooleanField()
    verdict = serializers.CharField(required=False)
    exit_code = serializers.IntegerField(allow_null=True, required=False)
    stdout = serializers.CharField(required=False)
    stderr = serializers.CharField(required=False)
    stdin = serializers.ListField(child=serializers.CharField(), required=False)
    expected_stdout = serializers.ListField(child=serializers.CharField(), required=False)

    def to_representation(self, result):
        validators = self.context["validators"]
        validator = validators.get(result.get("validator_id"))
        hidden = bool(result.get("hidden")) or validator is None or validator.is_hidden
        base = {
            "validator_id": result.get("validator_id"),
            "position": result.get("position"),
            "hidden": hidden,
            "passed": bool(result.get("passed")),
        }
        if not self.context["reveal"].shows(validator_id=result.get("validator_id"), hidden=hidden):
            return base
        return {
            **base,
            "verdict": result.get("verdict", ""),
            "exit_code": result.get("exit_code"),
            "stdout": result.get("stdout", ""),
            "stderr": result.get("stderr", ""),
            "stdin": list(validator.stdin) if validator else [],
            "expected_stdout": list(validator.expected_stdout) if validator else [],
        }


def _results_context(*, user, exercise_ids) -> dict:
    return {
        "reveal": selectors.validator_reveal(user=user, exercise_ids=exercise_ids),
        "validators": selectors.validators_by_id(exercise_ids=exercise_ids),
    }


class ModuleRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()


class ExerciseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    module_id = serializers.IntegerField()


class ProgressOutputSerializer(serializers.Serializer):
    module = ModuleRefSerializer()
    exercises_passed = serializers.IntegerField()
    exercises_total = serializers.IntegerField()
    points_earned = serializers.IntegerField()
    completed = serializers.BooleanField(source="is_completed")
    completed_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


# --- modules ------------------------------------------------------------------


class ModuleListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    description = serializers.CharField()
    tags = serializers.SerializerMethodField()
    reward = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True)
    position = serializers.IntegerField()
    is_published = serializers.BooleanField()
    content_count = serializers.IntegerField(required=False)

    def get_tags(self, module) -> list[str]:
        return [tag.name for tag in module.tags.all()]


class ModuleListApi(APIView):
    pagination_class = PageNumberPagination  # the page shape in the schema, as paginated() answers
    permission_classes = [StaffWrites]

    class ModuleCreateInputSerializer(serializers.Serializer):
        title = TextField(max_length=200)
        slug = SlugField(max_length=200, required=False)
        kind = ChoiceField(choices=Module.Kind.choices)
        description = TextField(max_length=MAX_BODY, allow_blank=True, required=False)
        tags = serializers.ListField(child=TextField(max_length=50), max_length=20, required=False)
        reward = serializers.IntegerField(min_value=0, max_value=MAX_REWARD, required=False)
        parent = serializers.PrimaryKeyRelatedField(
            queryset=Module.objects.all(), allow_null=True, required=False
        )
        position = serializers.IntegerField(min_value=0, max_value=MAX_POSITION, required=False)
        is_published = serializers.BooleanField(required=False)

    @extend_schema(responses=ModuleListItemSerializer(many=True))
    def get(self, request):
        modules = selectors.module_list(user=request.user, filters=request.query_params)
        return paginated(
            request=request, view=self, queryset=modules, serializer_class=ModuleListItemSerializer
        )

    @extend_schema(request=ModuleCreateInputSerializer, responses={201: ModuleListItemSerializer})
    def post(self, request):
        serializer = self.ModuleCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        module = services.module_create(author=request.user, **serializer.validated_data)
        return Response(ModuleListItemSerializer(module).data, status=status.HTTP_201_CREATED)


class ModuleDetailApi(APIView):
    permission_classes = [StaffWrites]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    class ModuleUpdateInputSerializer(ModuleListApi.ModuleCreateInputSerializer):
        title = TextField(max_length=200, required=False)
        kind = ChoiceField(choices=Module.Kind.choices, required=False)

    class ContentItemSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        kind = serializers.CharField()
        title = serializers.CharField()
        slug = serializers.CharField()
        reward = serializers.IntegerField()
        position = serializers.IntegerField()
        passed = serializers.SerializerMethodField()

        def get_passed(self, content) -> bool | None:
            if not content.is_exercise:
                return None
            return content.id in self.context["passed_ids"]

    class SubmoduleItemSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        slug = serializers.CharField()
        title = serializers.CharField()
        kind = serializers.CharField()
        reward = serializers.IntegerField()
        position = serializers.IntegerField()
        is_published = serializers.BooleanField()

    class ProgressSummarySerializer(serializers.Serializer):
        exercises_passed = serializers.IntegerField()
        exercises_total = serializers.IntegerField()
        points_earned = serializers.IntegerField()
        completed = serializers.BooleanField(source="is_completed")

    class ModuleDetailOutputSerializer(ModuleListItemSerializer):
        parent = ModuleRefSerializer(allow_null=True)
        author = serializers.CharField(source="author.username", allow_null=True, default=None)
        contents = serializers.SerializerMethodField()
        submodules = serializers.SerializerMethodField()
        progress = serializers.SerializerMethodField()

        def get_contents(self, module) -> list[dict]:
            contents = self.context["contents"]
            return ModuleDetailApi.ContentItemSerializer(contents, many=True, context=self.context).data

        def get_submodules(self, module) -> list[dict]:
            return ModuleDetailApi.SubmoduleItemSerializer(self.context["submodules"], many=True).data

        def get_progress(self, module) -> dict:
            return ModuleDetailApi.ProgressSummarySerializer(self.context["progress"]).data

    def _module(self, request, pk: int) -> Module:
        return selectors.module_get(user=request.user, module_id=pk)

    @extend_schema(responses=ModuleDetailOutputSerializer)
    def get(self, request, pk: int):
        module = self._module(request, pk)
        contents = list(selectors.module_contents(module=module))
        context = {
            "contents": contents,
            "submodules": list(selectors.module_submodules(user=request.user, module=module)),
            "passed_ids": selectors.passed_exercise_ids(
                user=request.user, exercise_ids=[c.id for c in contents if c.is_exercise]
            ),
            "progress": selectors.module_progress_get(user=request.user, module=module),
        }
        return Response(self.ModuleDetailOutputSerializer(module, context=context).data)

    @extend_schema(request=ModuleUpdateInputSerializer, responses=ModuleListItemSerializer)
    def patch(self, request, pk: int):
        module = self._module(request, pk)
        serializer = self.ModuleUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        module = services.module_update(module=module, data=dict(serializer.validated_data))
        return Response(ModuleListItemSerializer(module).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.module_delete(module=self._module(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ModuleProgressApi(APIView):
    @extend_schema(responses=ProgressOutputSerializer)
    def get(self, request, pk: int):
        module = selectors.module_get(user=request.user, module_id=pk)
        progress = selectors.module_progress_get(user=request.user, module=module)
        return Response(ProgressOutputSerializer(progress).data)


# --- contents -------------------------------------------------------------------


class EditorSettingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    language = serializers.CharField()
    version = serializers.CharField()
    starter_code = serializers.CharField()


class ContentOutputSerializer(serializers.Serializer):
    """A lesson, or an exercise with its editor settings and (redacted) validators."""

    id = serializers.IntegerField()
    module = ModuleRefSerializer()
    kind = serializers.CharField()
    title = serializers.CharField()
    slug = serializers.CharField()
    body = serializers.CharField()
    body_html = serializers.SerializerMethodField()
    reward = serializers.IntegerField()
    position = serializers.IntegerField()
    editor_settings = serializers.SerializerMethodField()
    validators = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    def get_body_html(self, content) -> str:
        return markdown_to_html(content.body)

    def get_editor_settings(self, content) -> list[dict]:
        return EditorSettingOutputSerializer(content.editor_settings.all(), many=True).data

    def get_validators(self, content) -> list[dict]:
        return ValidatorOutputSerializer(content.validators.all(), many=True, context=self.context).data

    def get_status(self, content) -> dict | None:
        if not content.is_exercise:
            return None
        progress = self.context.get("progress")
        return {
            "attempts": progress.attempts if progress else 0,
            "passed": bool(progress and progress.passed),
            "last_attempt_id": progress.last_attempt_id if progress else None,
            "last_success_id": progress.last_success_id if progress else None,
        }


def _content_response(request, content: Content, *, status_code: int = status.HTTP_200_OK) -> Response:
    context = {
        "reveal": selectors.validator_reveal(user=request.user, exercise_ids=[content.id]),
        "progress": selectors.exercise_progress_get(user=request.user, exercise=content),
    }
    return Response(ContentOutputSerializer(content, context=context).data, status=status_code)


class ContentCreateApi(APIView):
    permission_classes = [IsStaff]

    class ContentCreateInputSerializer(serializers.Serializer):
        module = serializers.PrimaryKeyRelatedField(queryset=Module.objects.all())
        kind = ChoiceField(choices=Content.Kind.choices)
        title = TextField(max_length=200)
        slug = SlugField(max_length=200, required=False)
        body = TextField(max_length=MAX_BODY, allow_blank=True, trim_whitespace=False, required=False)
        reward = serializers.IntegerField(min_value=0, max_value=MAX_REWARD, required=False)
        position = serializers.IntegerField(min_value=0, max_value=MAX_POSITION, required=False)

    @extend_schema(request=ContentCreateInputSerializer, responses={201: ContentOutputSerializer})
    def post(self, request):
        serializer = self.ContentCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        content = services.content_create(**serializer.validated_data)
        content = selectors.content_get(user=request.user, content_id=content.id)
        return _content_response(request, content, status_code=status.HTTP_201_CREATED)


class ContentDetailApi(APIView):
    permission_classes = [StaffWrites]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    class ContentUpdateInputSerializer(ContentCreateApi.ContentCreateInputSerializer):
        module = serializers.PrimaryKeyRelatedField(queryset=Module.objects.all(), required=False)
        kind = ChoiceField(choices=Content.Kind.choices, required=False)
        title = TextField(max_length=200, required=False)

    def _content(self, request, pk: int) -> Content:
        return selectors.content_get(user=request.user, content_id=pk)

    @extend_schema(responses=ContentOutputSerializer)
    def get(self, request, pk: int):
        return _content_response(request, self._content(request, pk))

    @extend_schema(request=ContentUpdateInputSerializer, responses=ContentOutputSerializer)
    def patch(self, request, pk: int):
        content = self._content(request, pk)
        serializer = self.ContentUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.content_update(content=content, data=dict(serializer.validated_data))
        return _content_response(request, self._content(request, pk))

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.content_delete(content=self._content(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- running and submitting -------------------------------------------------------


class CodeInputSerializer(serializers.Serializer):
    language = ChoiceField(choices=ProgrammingLanguage.choices)
    code = _code_field()


class RunOutputSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    compile_output = serializers.CharField()
    results = serializers.SerializerMethodField()

    def get_results(self, report) -> list[dict]:
        return ResultOutputSerializer(
            [r.as_dict() for r in report.results], many=True, context=self.context
        ).data


class SubmissionListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exercise = ExerciseRefSerializer()
    language = serializers.CharField()
    passed = serializers.BooleanField()
    passed_count = serializers.SerializerMethodField()
    total_count = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_passed_count(self, submission) -> int:
        return sum(1 for r in submission.results if r.get("passed"))

    def get_total_count(self, submission) -> int:
        return len(submission.results)


class SubmissionDetailSerializer(SubmissionListItemSerializer):
    code = serializers.CharField()
    compile_output = serializers.CharField()
    results = serializers.SerializerMethodField()

    def get_results(self, submission) -> list[dict]:
        return ResultOutputSerializer(submission.results, many=True, context=self.context).data


class ExerciseRunApi(APIView):
    @extend_schema(request=CodeInputSerializer, responses=RunOutputSerializer)
    def post(self, request, pk: int):
        exercise = selectors.exercise_get(user=request.user, exercise_id=pk)
        serializer = CodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.exercise_run(user=request.user, exercise=exercise, **serializer.validated_data)
        context = _results_context(user=request.user, exercise_ids=[exercise.id])
        return Response(RunOutputSerializer(report, context=context).data)


class ExerciseSubmitApi(APIView):
    @extend_schema(request=CodeInputSerializer, responses={201: SubmissionDetailSerializer})
    def post(self, request, pk: int):
        exercise = selectors.exercise_get(user=request.user, exercise_id=pk)
        serializer = CodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submission = services.exercise_submit(
            user=request.user, exercise=exercise, **serializer.validated_data
        )
        context = _results_context(user=request.user, exercise_ids=[exercise.id])
        return Response(
            SubmissionDetailSerializer(submission, context=context).data, status=status.HTTP_201_CREATED
        )


class SubmissionListApi(APIView):
    pagination_class = PageNumberPagination  # the page shape in the schema, as paginated() answers

    @extend_schema(responses=SubmissionListItemSerializer(many=True))
    def get(self, request):
        submissions = selectors.submission_list(user=request.user, filters=request.query_params)
        return paginated(
            request=request, view=self, queryset=submissions, serializer_class=SubmissionListItemSerializer
        )


class SubmissionDetailApi(APIView):
    @extend_schema(responses=SubmissionDetailSerializer)
    def get(self, request, pk: int):
        submission = selectors.submission_get(user=request.user, submission_id=pk)
        context = _results_context(user=request.user, exercise_ids=[submission.exercise_id])
        return Response(SubmissionDetailSerializer(submission, context=context).data)


class ProgressListApi(APIView):
    pagination_class = PageNumberPagination  # the page shape in the schema, as paginated() answers

    @extend_schema(responses=ProgressOutputSerializer(many=True))
    def get(self, request):
        progress = selectors.module_progress_list(user=request.user, filters=request.query_params)
        return paginated(
            request=request, view=self, queryset=progress, serializer_class=ProgressOutputSerializer
        )


# --- validators and editor settings (staff) ------------------------------------------


class StaffValidatorOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exercise_id = serializers.IntegerField()
    position = serializers.IntegerField()
    is_hidden = serializers.BooleanField()
    stdin = serializers.ListField(child=serializers.CharField())
    expected_stdout = serializers.ListField(child=serializers.CharField())


class StaffEditorSettingOutputSerializer(EditorSettingOutputSerializer):
    exercise_id = serializers.IntegerField()


def _exercise_field(**kwargs):
    return serializers.PrimaryKeyRelatedField(queryset=Content.objects.all(), **kwargs)


class ValidatorCreateApi(APIView):
    permission_classes = [IsStaff]

    class ValidatorCreateInputSerializer(serializers.Serializer):
        exercise = _exercise_field()
        stdin = _lines_field()
        expected_stdout = _lines_field()
        is_hidden = serializers.BooleanField(required=False)
        position = serializers.IntegerField(min_value=0, max_value=MAX_POSITION, required=False)

    @extend_schema(request=ValidatorCreateInputSerializer, responses={201: StaffValidatorOutputSerializer})
    def post(self, request):
        serializer = self.ValidatorCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        validator = services.validator_create(**serializer.validated_data)
        return Response(StaffValidatorOutputSerializer(validator).data, status=status.HTTP_201_CREATED)


class ValidatorDetailApi(APIView):
    permission_classes = [IsStaff]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    class ValidatorUpdateInputSerializer(serializers.Serializer):
        stdin = _lines_field(required=False)
        expected_stdout = _lines_field(required=False)
        is_hidden = serializers.BooleanField(required=False)
        position = serializers.IntegerField(min_value=0, max_value=MAX_POSITION, required=False)

    def _validator(self, pk: int) -> Validator:
        validator = Validator.objects.filter(pk=pk).first()
        if validator is None:
            raise NotFound("Validator not found.")
        return validator

    @extend_schema(responses=StaffValidatorOutputSerializer)
    def get(self, request, pk: int):
        return Response(StaffValidatorOutputSerializer(self._validator(pk)).data)

    @extend_schema(request=ValidatorUpdateInputSerializer, responses=StaffValidatorOutputSerializer)
    def patch(self, request, pk: int):
        validator = self._validator(pk)
        serializer = self.ValidatorUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        validator = services.validator_update(validator=validator, data=dict(serializer.validated_data))
        return Response(StaffValidatorOutputSerializer(validator).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.validator_delete(validator=self._validator(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EditorSettingCreateApi(APIView):
    permission_classes = [IsStaff]

    class EditorSettingCreateInputSerializer(serializers.Serializer):
        exercise = _exercise_field()
        language = ChoiceField(choices=ProgrammingLanguage.choices)
        version = TextField(max_length=32, allow_blank=True, required=False)
        starter_code = _code_field(allow_blank=True, required=False)

    @extend_schema(
        request=EditorSettingCreateInputSerializer, responses={201: StaffEditorSettingOutputSerializer}
    )
    def post(self, request):
        serializer = self.EditorSettingCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        setting = services.editor_setting_create(**serializer.validated_data)
        return Response(StaffEditorSettingOutputSerializer(setting).data, status=status.HTTP_201_CREATED)


class EditorSettingDetailApi(APIView):
    permission_classes = [IsStaff]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    class EditorSettingUpdateInputSerializer(serializers.Serializer):
        version = TextField(max_length=32, allow_blank=True, required=False)
        starter_code = _code_field(allow_blank=True, required=False)

    def _setting(self, pk: int) -> EditorSetting:
        setting = EditorSetting.objects.filter(pk=pk).first()
        if setting is None:
            raise NotFound("Editor setting not found.")
        return setting

    @extend_schema(responses=StaffEditorSettingOutputSerializer)
    def get(self, request, pk: int):
        return Response(StaffEditorSettingOutputSerializer(self._setting(pk)).data)

    @extend_schema(request=EditorSettingUpdateInputSerializer, responses=StaffEditorSettingOutputSerializer)
    def patch(self, request, pk: int):
        setting = self._setting(pk)
        serializer = self.EditorSettingUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        setting = services.editor_setting_update(setting=setting, data=dict(serializer.validated_data))
        return Response(StaffEditorSettingOutputSerializer(setting).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.editor_setting_delete(setting=self._setting(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
