"""Staff pages through the gateway, in Chromium: one sign-in reaches every admin.

Django's own admin pages are photographed but not held to axe-core: their markup is Django's.
"""

import re

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


@pytest.mark.parametrize("admin", ["/admin/", "/shop/admin/", "/mailer/admin/", "/gateway/admin/"])
def test_staff_signed_in_once_reach_every_service_admin_without_another_login(staff_page: Page, admin: str):
    failed = failed_responses(staff_page)

    staff_page.goto(admin)

    expect(staff_page).to_have_url(re.compile(re.escape(admin) + "$"))
    expect(staff_page.get_by_role("heading", name="Site administration")).to_be_visible()
    # The admin of a service lists that service's models: staff have permissions there.
    expect(staff_page.get_by_role("main").get_by_role("table").first).to_be_visible()
    assert failed == [], f"failed requests: {failed}"
    shot(staff_page, f"staff-admin-{admin.strip('/').replace('/', '-')}")


def test_staff_change_a_gateway_route_in_its_admin_with_its_static_files_loaded(staff_page: Page):
    failed = failed_responses(staff_page)

    staff_page.goto("/gateway/admin/")
    staff_page.get_by_role("link", name="Routes").first.click()
    staff_page.get_by_role("link", name="/api/docs/", exact=True).click()

    expect(staff_page.get_by_role("button", name="Save", exact=True)).to_be_visible()
    assert failed == [], f"failed requests: {failed}"
    shot(staff_page, "staff-gateway-route")


@pytest.mark.parametrize(
    ("docs", "title"),
    [
        ("/api/docs/", "PolyCode monolith API"),
        ("/api/runner/docs/", "PolyCode runner API"),
        ("/shop/api/docs/", "PolyCode shop API"),
    ],
)
def test_each_services_api_docs_under_its_route_show_its_own_schema(staff_page: Page, docs: str, title: str):
    failed = failed_responses(staff_page)

    staff_page.goto(docs)

    expect(staff_page.locator(".swagger-ui .title").first).to_contain_text(title)
    expect(staff_page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert failed == [], f"failed requests: {failed}"
    shot(staff_page, f"api-docs-{docs.strip('/').replace('/', '-')}")
