import pytest
from django.test import Client
from django.utils import timezone

from monolith.accounts.models import EmailAddress, InvitationStatus, TeamMembership, User
from monolith.accounts.services.wallet import wallet_credit, wallet_debit
from monolith.accounts.tests.factories import EmailAddressFactory, TeamFactory, make_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def data(learner, other_learner):
    wallet_credit(user=learner, amount=120, reference="reward:user:1:exercise:7", reason="FizzBuzz")
    wallet_debit(user=learner, amount=20, reference="shop:legacy:user:1:item:3", reason="hint")
    EmailAddressFactory(user=learner, email=learner.email, primary=True)
    team = TeamFactory(name="Lambda", captain=learner)
    TeamMembership.objects.create(team=team, user=other_learner)
    invitation, _ = make_invitation(team=team, email="friend@example.com")
    return {"team": team, "invitation": invitation}


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/",
        "/admin/accounts/user/?q=ada",
        "/admin/accounts/user/?o=3",
        "/admin/accounts/ledgerentry/",
        "/admin/accounts/ledgerentry/?q=shop:legacy",
        "/admin/accounts/ledgerentry/?q=ada",
        "/admin/accounts/emailaddress/?q=ada",
        "/admin/accounts/team/?kind__exact=community&q=lambda",
        "/admin/accounts/teaminvitation/?status__exact=pending&q=friend",
    ],
)
def test_admin_lists_and_searches_render(admin_client, data, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "errornote" not in response.content.decode()


def test_the_user_page_shows_points_addresses_and_recent_ledger(admin_client, data, learner):
    page = admin_client.get(f"/admin/accounts/user/{learner.pk}/change/").content.decode()
    assert "reward:user:1:exercise:7" in page
    assert "shop:legacy:user:1:item:3" in page
    assert "100" in page  # the balance
    assert 'name="email_addresses-0-email"' in page
    assert "/admin/accounts/ledgerentry/?wallet__user__id__exact=" in page


def test_the_ledger_is_read_only_in_the_admin(admin_client, data):
    assert admin_client.get("/admin/accounts/ledgerentry/add/").status_code == 403
    entry_id = data["team"].captain.wallet.entries.first().pk
    response = admin_client.post(f"/admin/accounts/ledgerentry/{entry_id}/change/", {"amount": 1_000_000})
    assert response.status_code == 403
    assert data["team"].captain.wallet.entries.get(pk=entry_id).amount != 1_000_000


def test_the_team_page_shows_members_and_invitations(admin_client, data):
    page = admin_client.get(f"/admin/accounts/team/{data['team'].pk}/change/").content.decode()
    assert "friend@example.com" in page
    assert 'name="memberships-1-user"' in page


def test_staff_revoke_pending_invitations_in_bulk(admin_client, data):
    response = admin_client.post(
        "/admin/accounts/teaminvitation/",
        {"action": "revoke", "_selected_action": [data["invitation"].pk]},
    )
    assert response.status_code == 302
    data["invitation"].refresh_from_db()
    assert data["invitation"].status == InvitationStatus.REVOKED


def test_making_an_address_primary_in_the_admin_updates_the_account_email(admin_client, learner, data):
    old = EmailAddress.objects.get(user=learner, primary=True)
    new = EmailAddressFactory(user=learner, email="ada@elsewhere.example", verified_at=timezone.now())
    page = admin_client.get(f"/admin/accounts/user/{learner.pk}/change/")
    form = page.context["adminform"].form
    post = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in ("password", "groups", "user_permissions")
    }
    post.update(
        {
            "date_joined_0": learner.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": learner.date_joined.strftime("%H:%M:%S"),
            "email_addresses-TOTAL_FORMS": "2",
            "email_addresses-INITIAL_FORMS": "2",
            "email_addresses-0-id": str(new.pk),
            "email_addresses-0-user": str(learner.pk),
            "email_addresses-0-email": new.email,
            "email_addresses-0-primary": "on",
            "email_addresses-0-verified": "on",
            "email_addresses-1-id": str(old.pk),
            "email_addresses-1-user": str(learner.pk),
            "email_addresses-1-email": old.email,
            "email_addresses-1-verified": "on",
        }
    )
    post.pop("last_login", None)

    response = admin_client.post(f"/admin/accounts/user/{learner.pk}/change/", post)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert User.objects.get(pk=learner.pk).email == "ada@elsewhere.example"


def test_an_existing_address_cannot_be_rewritten_in_the_admin(admin_client, learner, data):
    address = EmailAddress.objects.get(user=learner, primary=True)

    response = admin_client.post(
        f"/admin/accounts/emailaddress/{address.pk}/change/",
        {"email": "someone-else@example.com", "verified": "on"},
    )

    assert response.status_code == 200  # the form again, with the error
    assert "cannot be changed" in response.content.decode()
    address.refresh_from_db()
    learner.refresh_from_db()
    assert address.email == learner.email != "someone-else@example.com"
