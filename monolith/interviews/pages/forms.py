"""Forms of the recruiters' pages (errors inline, values kept)."""

import json

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monolith.interviews import csv_import, selectors
from monolith.learning.models import ProgrammingLanguage

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class AssessmentForm(forms.Form):
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=None, empty_label=None)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    instructions = forms.CharField(
        label=gettext_lazy("Instructions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Shown on the start page and during the assessment (Markdown)."),
    )
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Allowed languages"),
        choices=ProgrammingLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Duration (minutes)"), min_value=1, max_value=24 * 60, initial=60
    )
    opens_at = forms.DateTimeField(
        label=gettext_lazy("Opens at (UTC)"), widget=DateTimeInput(), input_formats=[DATETIME_FORMAT]
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Closes at (UTC)"),
        widget=DateTimeInput(),
        input_formats=[DATETIME_FORMAT],
        help_text=gettext_lazy("Invitation links expire then; a candidate must start before."),
    )
    sources = forms.MultipleChoiceField(
        label=gettext_lazy("Exercises"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("From the catalogue, or written by your team (seen only by your team)."),
    )

    def __init__(self, *args, user, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        teams = selectors.recruiting_teams(user=user)
        if team is not None:
            teams = teams.filter(pk=team.pk)
        self.fields["team"].queryset = teams
        choices = [
            (f"catalogue:{c.id}", f"{c.module.title} · {c.title}") for c in selectors.catalogue_exercises()
        ]
        own = selectors.team_exercise_list(user=user)
        if team is not None:
            own = own.filter(team=team)
        choices += [
            (f"team:{e.id}", _("%(team)s (private) · %(title)s") % {"team": e.team, "title": e.title})
            for e in own
        ]
        self.fields["sources"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The assessment must close after it opens."))
        return data


class TeamExerciseForm(forms.Form):
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=None, empty_label=None)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    statement = forms.CharField(
        label=gettext_lazy("Statement"), widget=forms.Textarea(attrs={"rows": 8}), help_text="Markdown."
    )
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Languages"),
        choices=ProgrammingLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    starter_code = forms.CharField(
        label=gettext_lazy("Starter code"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=gettext_lazy("Given in every chosen language; leave empty for a blank editor."),
    )
    tests = forms.CharField(
        label=gettext_lazy("Tests (JSON)"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        initial='[\n  {"stdin": "1 2", "expected": "3", "hidden": false},\n'
        '  {"stdin": "40 2", "expected": "42", "hidden": true}\n]',
        help_text=gettext_lazy(
            "A list of tests: stdin, expected output, hidden. Candidates never see a hidden test."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = selectors.recruiting_teams(user=user)

    def clean_tests(self):
        try:
            return json.loads(self.cleaned_data["tests"])
        except ValueError as error:
            raise forms.ValidationError(_("This is not valid JSON: %(error)s") % {"error": error}) from None


class InviteForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Candidate's name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("Email address"), max_length=254)


class CsvForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        # The limit is csv_import.MAX_CSV_BYTES.
        help_text=gettext_lazy("One candidate per line: name,email (UTF-8). At most 100 KiB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > csv_import.MAX_CSV_BYTES:
            raise forms.ValidationError(
                _("The file is too large: at most %(limit)s KiB.")
                % {"limit": csv_import.MAX_CSV_BYTES // 1024}
            )
        return upload.read(csv_import.MAX_CSV_BYTES + 1)


class PadForm(forms.Form):
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=None, empty_label=None)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    candidate_name = forms.CharField(label=gettext_lazy("Candidate's name"), max_length=200, required=False)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=ProgrammingLanguage.choices)
    source = forms.ChoiceField(
        label=gettext_lazy("Starting exercise"),
        required=False,
        help_text=gettext_lazy("Its statement is shown to both of you and its starter code fills the pad."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = selectors.recruiting_teams(user=user)
        choices = [("", _("None: a blank pad"))]
        choices += [
            (f"catalogue:{c.id}", f"{c.module.title} · {c.title}") for c in selectors.catalogue_exercises()
        ]
        choices += [
            (f"team:{e.id}", _("%(team)s (private) · %(title)s") % {"team": e.team, "title": e.title})
            for e in selectors.team_exercise_list(user=user)
        ]
        self.fields["source"].choices = choices
