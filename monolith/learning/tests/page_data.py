"""Demo-like learning content for the page tests: modules with lessons, exercises, a chapter, progress."""

from dataclasses import dataclass

from django.utils import timezone

from monolith.accounts.services.wallet import wallet_credit
from monolith.learning.models import ExerciseProgress, Module, ModuleProgress, Tag
from monolith.learning.tests.factories import (
    ExerciseFactory,
    LessonFactory,
    ModuleFactory,
    SubmissionFactory,
    SubmoduleFactory,
)

LESSON_BODY = """\
Read a line, print it.

```python
name = input()
print(f"Hi {name}")
```

<script>alert("x")</script>
"""


@dataclass
class Catalogue:
    fundamentals: Module
    algorithms: Module
    strings: Module
    hidden_draft: Module
    lesson: object
    first: object
    second: object
    chapter_exercise: object
    algorithm_exercise: object


def catalogue() -> Catalogue:
    """Like the demo: a practice module (lesson, two exercises, a chapter), a challenge, a draft."""
    beginner = Tag.objects.create(name="beginner", slug="beginner")
    algorithms_tag = Tag.objects.create(name="algorithms", slug="algorithms")
    fundamentals = ModuleFactory(
        title="Programming fundamentals", kind=Module.Kind.PRACTICE, reward=50, tags=[beginner], position=0
    )
    algorithms = ModuleFactory(
        title="Algorithms challenge", kind=Module.Kind.CHALLENGE, tags=[algorithms_tag], position=1
    )
    strings = SubmoduleFactory(title="Working with strings", parent=fundamentals)
    draft = ModuleFactory(title="Unfinished draft", is_published=False, position=2)
    lesson = LessonFactory(module=fundamentals, title="Reading input", body=LESSON_BODY, position=0)
    first = ExerciseFactory(module=fundamentals, title="Hello, you", position=1)
    second = ExerciseFactory(module=fundamentals, title="Sum of two numbers", position=2)
    chapter_exercise = ExerciseFactory(module=strings, title="Reverse a string", position=0)
    algorithm_exercise = ExerciseFactory(module=algorithms, title="Is it prime?", position=0)
    return Catalogue(
        fundamentals, algorithms, strings, draft, lesson, first, second, chapter_exercise, algorithm_exercise
    )


def solve(user, exercise, *, points: int = 10, language: str = "python"):
    """Record what a passed submission leaves behind: the submission, progress rows and the reward."""
    submission = SubmissionFactory(user=user, exercise=exercise, passed=True, language=language)
    ExerciseProgress.objects.update_or_create(
        user=user,
        exercise=exercise,
        defaults={"attempts": 1, "last_attempt": submission, "first_passed_at": timezone.now()},
    )
    module = exercise.module
    for row_module in [module, module.parent] if module.parent_id else [module]:
        row, _ = ModuleProgress.objects.get_or_create(user=user, module=row_module)
        row.exercises_passed += 1
        row.exercises_total = max(row.exercises_total, row.exercises_passed)
        row.save()
    if points:
        wallet_credit(user=user, amount=points, reference=f"test:{user.pk}:{exercise.pk}")
    return submission
