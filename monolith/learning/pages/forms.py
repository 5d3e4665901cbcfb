"""Filters of the learning pages: plain GET forms, their errors shown next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from monolith.learning.models import Module

TOP_LEVEL_KINDS = [Module.Kind.PRACTICE, Module.Kind.CHALLENGE, Module.Kind.CERTIFICATION]


class CatalogueFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    tag = forms.ChoiceField(label=_("Tag"), required=False)

    def __init__(self, data, *, tags, kind_labels):
        super().__init__(data)
        self.fields["kind"].choices = [("", _("All kinds")), *((k, kind_labels[k]) for k in TOP_LEVEL_KINDS)]
        self.fields["tag"].choices = [("", _("All tags")), *((tag.slug, tag.name) for tag in tags)]

    def filters(self) -> dict:
        """The module-list filters the form asks for (top-level modules only)."""
        chosen = {name: value for name, value in self.cleaned_data.items() if value}
        return {"root": "true", **chosen}


class SubmissionFilterForm(forms.Form):
    VERDICTS = {"passed": "true", "failed": "false"}

    exercise = forms.TypedChoiceField(label=_("Exercise"), required=False, coerce=int, empty_value=None)
    verdict = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("", _("All results")), ("passed", _("Passed")), ("failed", _("Failed"))],
    )

    def __init__(self, data, *, exercises):
        super().__init__(data)
        self.fields["exercise"].choices = [("", _("All exercises")), *((e.id, e.title) for e in exercises)]

    def filters(self) -> dict:
        chosen = {}
        if self.cleaned_data.get("exercise"):
            chosen["exercise"] = self.cleaned_data["exercise"]
        if self.cleaned_data.get("verdict"):
            chosen["passed"] = self.VERDICTS[self.cleaned_data["verdict"]]
        return chosen


class LeaderboardTeamForm(forms.Form):
    team = forms.TypedChoiceField(label=_("Leaderboard"), required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, teams):
        super().__init__(data)
        self.teams = {team.id: team for team in teams}
        self.fields["team"].choices = [("", _("Everyone")), *((team.id, team.name) for team in teams)]
        self.fields["team"].error_messages["invalid_choice"] = _("Choose one of your teams.")

    def clean_team(self):
        team_id = self.cleaned_data["team"]
        return self.teams[team_id] if team_id is not None else None
