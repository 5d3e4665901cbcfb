"""Demo content of the certifications: the exam of the demo certification module."""

from monolith.certificates.models import Exam
from monolith.learning.models import Module

DEMO_EXAM_MODULE = "problem-solving-level-1"


def load_certificates_demo() -> str:
    """One exam: 30 minutes, 70 % to pass, 3 attempts, 60 minutes between attempts (idempotent)."""
    module = Module.objects.filter(slug=DEMO_EXAM_MODULE, kind=Module.Kind.CERTIFICATION).first()
    if module is None:
        return "certifications: no demo certification module"
    Exam.objects.get_or_create(
        module=module,
        defaults={"duration_minutes": 30, "pass_percent": 70, "max_attempts": 3, "cooldown_minutes": 60},
    )
    return f"certifications: 1 exam ({module.title})"
