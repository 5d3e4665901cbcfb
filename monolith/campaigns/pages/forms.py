"""Forms of the campaign pages: creating a campaign (with its exercises) and registering."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from monolith.campaigns.models import Participation, Scoring
from monolith.learning.models import Content
from monolith.learning.selectors import visible_modules_q

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def exercise_choices(user) -> list[tuple[str, str]]:
    """Exercises with tests that ``user`` may see, labelled with their module."""
    queryset = (
        Content.objects.filter(visible_modules_q(user, prefix="module__"), kind=Content.Kind.EXERCISE)
        .filter(validators__isnull=False)
        .distinct()
        .select_related("module")
        .order_by("module__title", "position", "id")
    )
    return [("", _("— no exercise —"))] + [(str(c.id), f"{c.module.title}: {c.title}") for c in queryset]


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown."),
    )
    starts_at = forms.DateTimeField(label=_("Starts at (UTC)"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at (UTC)"), widget=DATETIME)
    registration_opens_at = forms.DateTimeField(
        label=_("Registration opens at (UTC)"),
        required=False,
        widget=DATETIME,
        help_text=_("Empty: open from now."),
    )
    registration_closes_at = forms.DateTimeField(
        label=_("Registration closes at (UTC)"),
        required=False,
        widget=DATETIME,
        help_text=_("Empty: open until the end."),
    )
    participation = forms.ChoiceField(
        label=_("Participation"),
        choices=[(Participation.INDIVIDUAL, _("Individual")), (Participation.TEAM, _("By team"))],
    )
    scoring = forms.ChoiceField(
        label=_("Scoring"),
        choices=[
            (Scoring.ICPC, _("ICPC: exercises solved, then time with a penalty per rejected submission")),
            (Scoring.IOI, _("IOI: points per test passed, the best submission counts")),
        ],
    )
    penalty_minutes = forms.IntegerField(
        label=_("Penalty per rejected submission (minutes, ICPC)"), min_value=0, max_value=1440, initial=20
    )
    freeze_minutes = forms.IntegerField(
        label=_("Freeze the scoreboard for the last … minutes"),
        min_value=0,
        max_value=10080,
        initial=0,
        help_text=_("0: no freeze. Participants see the frozen board; the final one at the end."),
    )
    prizes = forms.CharField(
        label=_("Prizes (points for ranks 1, 2, 3…)"),
        required=False,
        help_text=_("Whole numbers separated by commas, e.g. 100, 50, 25."),
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, teams, staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {team.id: team for team in teams}
        options = [(team.id, team.name) for team in teams]
        if staff:
            self.fields["team"].choices = [("", _("None: a public campaign")), *options]
            self.fields["team"].help_text = _("A team-internal campaign is seen only by the team's members.")
        else:
            self.fields["team"].choices = options
            self.fields["team"].required = True
            self.fields["team"].help_text = _("Only your team's members see this campaign.")
        self.fields["team"].error_messages["invalid_choice"] = _("Choose a team you captain.")

    def clean_team(self):
        team_id = self.cleaned_data["team"]
        return self.teams[team_id] if team_id is not None else None

    def clean_prizes(self) -> list[int]:
        text = self.cleaned_data["prizes"].strip()
        if not text:
            return []
        try:
            values = [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise ValidationError(_("Write whole numbers separated by commas, e.g. 100, 50, 25.")) from None
        if any(value <= 0 for value in values):
            raise ValidationError(_("Every prize is at least 1 point."))
        return values

    def clean(self):
        data = super().clean()
        if data.get("team") is not None and data.get("participation") == Participation.TEAM:
            self.add_error("participation", _("A team-internal campaign is taken individually."))
        return data


class CampaignExerciseForm(forms.Form):
    exercise = forms.TypedChoiceField(label=_("Exercise"), required=False, coerce=int, empty_value=None)
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=100000, initial=100)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exercise"].choices = choices
        self.fields["exercise"].error_messages["invalid_choice"] = _("Choose an exercise from the list.")


ExerciseFormSet = forms.formset_factory(CampaignExerciseForm, extra=4, max_num=26, validate_max=True)


class RegistrationForm(forms.Form):
    team = forms.TypedChoiceField(label=_("Your team"), coerce=int, empty_value=None)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {team.id: team for team in teams}
        self.fields["team"].choices = [(team.id, team.name) for team in teams]
        self.fields["team"].error_messages["invalid_choice"] = _("Choose one of your teams.")

    def clean_team(self):
        return self.teams[self.cleaned_data["team"]]
