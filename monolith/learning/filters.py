"""Query-string filters of the learning API (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q

from monolith.learning.models import Module, ModuleProgress, ProgrammingLanguage, Submission

MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A primary key: a whole number in the database's range (not a decimal)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ModuleFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Module.Kind.choices)
    tag = django_filters.CharFilter(method="filter_tag", max_length=50)
    parent = IdFilter(field_name="parent_id")
    root = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull", label="Top-level only")
    slug = django_filters.CharFilter(field_name="slug", max_length=200)
    search = django_filters.CharFilter(method="filter_search", max_length=200)

    class Meta:
        model = Module
        fields = ["kind", "tag", "parent", "root", "slug", "search"]

    def filter_tag(self, queryset, name, value):
        return queryset.filter(Q(tags__slug=value) | Q(tags__name__iexact=value)).distinct()

    def filter_search(self, queryset, name, value):
        terms = value.split()
        for term in terms:
            queryset = queryset.filter(
                Q(title__icontains=term) | Q(description__icontains=term) | Q(tags__name__icontains=term)
            )
        return queryset.distinct()


class SubmissionFilter(django_filters.FilterSet):
    exercise = IdFilter(field_name="exercise_id")
    passed = django_filters.BooleanFilter()
    language = django_filters.ChoiceFilter(choices=ProgrammingLanguage.choices)

    class Meta:
        model = Submission
        fields = ["exercise", "passed", "language"]


class ModuleProgressFilter(django_filters.FilterSet):
    module = IdFilter(field_name="module_id")
    completed = django_filters.BooleanFilter(field_name="completed_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = ModuleProgress
        fields = ["module", "completed"]
