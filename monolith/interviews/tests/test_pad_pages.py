"""The pad's pages: the team's list and pad, the notes, the end, the candidate's page; who gets 404."""

import pytest

from common.identity.testing import GatewayClient
from monolith.accounts.tests.factories import UserFactory
from monolith.interviews.models import Pad
from monolith.interviews.pad import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def pad(team, recruiter):
    return services.pad_open(
        team=team, by=recruiter, title="Pairing", language="python", candidate_name="Cleo"
    )


def test_a_member_opens_a_pad_from_an_exercise(recruiter_browser, team, exercises):
    source = f"team:{exercises[0].id}"
    form = {
        "team": team.id,
        "title": "Sums",
        "candidate_name": "Cleo",
        "language": "python",
        "source": source,
    }
    response = recruiter_browser.post("/recruit/pads/", form)
    pad = Pad.objects.get(title="Sums")
    assert response.status_code == 302
    assert response["Location"] == f"/recruit/pads/{pad.public_id}/"
    assert pad.doc == "# read two numbers\n"
    assert "Read two integers" in pad.statement
    page = recruiter_browser.get(response["Location"])
    assert page.status_code == 200
    assert f"/pad/{services.link_token(pad)}" in page.content.decode()


def test_a_bad_form_names_the_field_and_keeps_the_values(recruiter_browser, team):
    response = recruiter_browser.post(
        "/recruit/pads/", {"team": team.id, "title": "Kept", "language": "cobol"}
    )
    assert response.status_code == 400
    assert 'value="Kept"' in response.content.decode()
    assert response.context["form"].errors["language"]
    assert not Pad.objects.exists()


def test_notes_are_saved_and_never_on_the_candidates_page(recruiter_browser, pad):
    response = recruiter_browser.post(f"/recruit/pads/{pad.public_id}/notes", {"notes": "hire? maybe 9f2e"})
    assert response.status_code == 302
    pad.refresh_from_db()
    assert pad.notes == "hire? maybe 9f2e"
    candidate = GatewayClient().get(f"/pad/{services.link_token(pad)}")
    assert candidate.status_code == 200
    assert "9f2e" not in candidate.content.decode()
    assert candidate["Referrer-Policy"] == "no-referrer"


def test_too_long_notes_are_refused_and_kept(recruiter_browser, pad):
    text = "x" * (services.MAX_NOTES + 1)
    response = recruiter_browser.post(
        f"/recruit/pads/{pad.public_id}/notes", {"notes": text}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert text in response.content.decode()
    pad.refresh_from_db()
    assert pad.notes == ""


@pytest.mark.parametrize("who", ["outsider", "learner", "anonymous"])
def test_anyone_outside_the_team_gets_404_or_the_login(who, pad, outsider):
    user = {"outsider": outsider, "learner": UserFactory(username="lea"), "anonymous": None}[who]
    client = GatewayClient(user)
    base = f"/recruit/pads/{pad.public_id}/"
    for method, path in (("get", base), ("post", base + "notes"), ("post", base + "end")):
        response = getattr(client, method)(path, {"notes": "x"} if method == "post" else None)
        assert response.status_code == (302 if user is None else 404), (who, path)
    pad.refresh_from_db()
    assert (pad.notes, pad.ended_at) == ("", None)
    if user is not None:
        assert "Pairing" not in client.get("/recruit/pads/").content.decode()


def test_ending_makes_the_link_refused(recruiter_browser, pad):
    link = f"/pad/{services.link_token(pad)}"
    assert GatewayClient().get(link).status_code == 200
    assert recruiter_browser.post(f"/recruit/pads/{pad.public_id}/end").status_code == 302
    ended = GatewayClient().get(link)
    assert ended.status_code == 410
    assert "ended" in ended.content.decode()


def test_a_forged_or_other_pads_link_is_refused(pad, team, recruiter):
    other = services.pad_open(team=team, by=recruiter, title="Other", language="python")
    token = services.link_token(pad)
    forged = token[:-1] + ("B" if token.endswith("A") else "A")
    assert GatewayClient().get(f"/pad/{forged}").status_code == 404
    page = GatewayClient().get(f"/pad/{services.link_token(other)}")
    assert page.status_code == 200
    assert "Pairing" not in page.content.decode()
    assert f"/pad/ws/c/{services.link_token(other)}" in page.content.decode()


def test_the_pages_speak_french(recruiter, pad):
    recruiter.preferred_language = "fr"
    recruiter.save(update_fields=["preferred_language"])
    page = GatewayClient(recruiter).get(f"/recruit/pads/{pad.public_id}/").content.decode()
    assert "Notes privées" in page
    assert "Le lien du candidat" in page
    candidate = GatewayClient().get(f"/pad/{services.link_token(pad)}", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Ceci est un entretien en direct" in candidate.content.decode()
