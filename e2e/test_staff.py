"""Staff pages through the gateway, in Chromium: one sign-in reaches every admin.

Django's own admin pages are photographed but not held to axe-core: their markup is Django's.
"""

import pytest
from playwright.sync_api import Page, expect

from e2e.browser import shot
from e2e.steps import sign_in


@pytest.fixture
def staff_page(page: Page) -> Page:
    sign_in(page, "staff", "staff-dev-password", next_path="/dashboard/")
    return page


def failed_responses(page: Page) -> list[str]:
    failed: list[str] = []
    page.on(
        "response",
        lambda response: (
            failed.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    return failed


def test_staff_signed_in_once_reach_the_content_admin_without_another_login(staff_page: Page):
    failed = failed_responses(staff_page)

    staff_page.goto("/admin/")

    expect(staff_page.get_by_role("heading", name="Site administration")).to_be_visible()
    expect(staff_page.get_by_role("table", name="Accounts")).to_be_visible()
    assert failed == []
    shot(staff_page, "staff-content-admin")


def test_staff_change_a_gateway_route_in_its_admin_with_its_static_files_loaded(staff_page: Page):
    failed = failed_responses(staff_page)

    staff_page.goto("/gateway/admin/")
    staff_page.get_by_role("link", name="Routes").first.click()
    staff_page.get_by_role("link", name="/api/docs/").click()

    expect(staff_page.get_by_role("button", name="Save", exact=True)).to_be_visible()
    assert failed == [], f"failed requests: {failed}"
    shot(staff_page, "staff-gateway-route")
