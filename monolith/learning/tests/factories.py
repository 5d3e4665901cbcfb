import factory

from monolith.accounts.tests.factories import StaffFactory
from monolith.learning.models import Content, EditorSetting, Module, Submission, Validator


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Module {n}")
    slug = factory.Sequence(lambda n: f"module-{n}")
    kind = Module.Kind.PRACTICE
    description = "A module."
    reward = 0
    position = factory.Sequence(lambda n: n)
    author = factory.SubFactory(StaffFactory, username="author")
    is_published = True

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.set(extracted)


class SubmoduleFactory(ModuleFactory):
    kind = Module.Kind.SUBMODULE
    parent = factory.SubFactory(ModuleFactory)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Content
        skip_postgeneration_save = True

    module = factory.SubFactory(ModuleFactory)
    kind = Content.Kind.LESSON
    title = factory.Sequence(lambda n: f"Lesson {n}")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    body = "Some **markdown**."
    position = factory.Sequence(lambda n: n)


class ExerciseFactory(LessonFactory):
    """An exercise offered in Python and JavaScript, with no validator yet."""

    kind = Content.Kind.EXERCISE
    title = factory.Sequence(lambda n: f"Exercise {n}")
    slug = factory.Sequence(lambda n: f"exercise-{n}")
    reward = 10

    @factory.post_generation
    def languages(obj, create, extracted, **kwargs):
        if create:
            for language in extracted if extracted is not None else ["python", "javascript"]:
                EditorSetting.objects.create(exercise=obj, language=language, starter_code=f"# {language}")


class ValidatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Validator

    exercise = factory.SubFactory(ExerciseFactory)
    position = factory.Sequence(lambda n: n)
    stdin = factory.Sequence(lambda n: [f"in {n}"])
    expected_stdout = factory.Sequence(lambda n: [f"out {n}"])
    is_hidden = False


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    exercise = factory.SubFactory(ExerciseFactory)
    language = "python"
    code = "print(1)"
    passed = False
    results = factory.LazyFunction(list)
