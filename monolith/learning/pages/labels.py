"""Translated names of the learning app's stored choices (the models keep plain English labels)."""

from django.utils.translation import pgettext_lazy

from monolith.learning.execution import Verdict
from monolith.learning.models import Module

MODULE_KINDS = {
    Module.Kind.CHALLENGE: pgettext_lazy("module kind", "Challenge"),
    Module.Kind.PRACTICE: pgettext_lazy("module kind", "Practice"),
    Module.Kind.CERTIFICATION: pgettext_lazy("module kind", "Certification"),
    Module.Kind.SUBMODULE: pgettext_lazy("module kind", "Chapter"),
}

VERDICTS = {
    Verdict.ACCEPTED: pgettext_lazy("verdict", "Accepted"),
    Verdict.WRONG_ANSWER: pgettext_lazy("verdict", "Wrong answer"),
    Verdict.TIME_LIMIT: pgettext_lazy("verdict", "Time limit exceeded"),
    Verdict.MEMORY_LIMIT: pgettext_lazy("verdict", "Memory limit exceeded"),
    Verdict.RUNTIME_ERROR: pgettext_lazy("verdict", "Runtime error"),
    Verdict.COMPILE_ERROR: pgettext_lazy("verdict", "Compilation error"),
    Verdict.OUTPUT_LIMIT: pgettext_lazy("verdict", "Output limit exceeded"),
    Verdict.INTERNAL_ERROR: pgettext_lazy("verdict", "Internal error"),
}


def module_kind(kind: str) -> str:
    return str(MODULE_KINDS.get(kind, kind))


def verdict(value: str) -> str:
    return str(VERDICTS.get(value, value))
