"""Demo content of the interviews: an assessment of the demo recruiter's team (idempotent)."""

from datetime import timedelta

from django.utils import timezone

from monolith.accounts.demo import RECRUITING_TEAM
from monolith.accounts.models import Team
from monolith.interviews import selectors, services
from monolith.interviews.models import Assessment, TeamExercise

DEMO_TITLE = "Backend developer screening"
DEMO_EXERCISE = "Sum of a list"


def load_interviews_demo() -> str:
    """One private exercise and one 45-minute assessment using it and a catalogue exercise."""
    team = Team.objects.filter(name=RECRUITING_TEAM).first()
    if team is None:
        return "interviews: no demo recruiting team"
    exercise = TeamExercise.objects.filter(team=team, title=DEMO_EXERCISE).first()
    if exercise is None:
        exercise = services.team_exercise_create(
            team=team,
            title=DEMO_EXERCISE,
            statement="The first line holds *n*; each of the next *n* lines an integer. Print their sum.",
            starters={"python": "n = int(input())\n", "javascript": ""},
            tests=[
                {"stdin": "3\n1\n2\n3", "expected": "6", "hidden": False},
                {"stdin": "1\n-7", "expected": "-7", "hidden": True},
                {"stdin": "0", "expected": "0", "hidden": True},
            ],
        )
    if Assessment.objects.filter(team=team, versions__title=DEMO_TITLE).exists():
        return "interviews: demo assessment already there"
    catalogue = selectors.catalogue_exercises().filter(editor_settings__language="python").first()
    sources = [f"team:{exercise.id}"] + ([f"catalogue:{catalogue.id}"] if catalogue else [])
    now = timezone.now()
    services.assessment_create(
        team=team,
        by=team.captain,
        data={
            "title": DEMO_TITLE,
            "instructions": "Solve what you can. Run checks the examples; Submit counts every test.",
            "languages": ["python", "javascript"],
            "duration_minutes": 45,
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=30),
            "sources": sources,
        },
    )
    return f"interviews: 1 assessment ({DEMO_TITLE}) for {team.name}"
