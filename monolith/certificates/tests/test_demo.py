"""The demo content has one certification exam, and loading it again changes nothing."""

import pytest
from django.core.management import call_command

from monolith.certificates.models import Exam

pytestmark = pytest.mark.django_db


def test_load_demo_adds_the_exam_of_the_demo_certification_once():
    call_command("load_demo")
    call_command("load_demo")

    [exam] = Exam.objects.all()
    assert exam.module.slug == "problem-solving-level-1"
    assert (exam.duration_minutes, exam.pass_percent, exam.max_attempts) == (30, 70, 3)
