"""Fixtures of the accounts tests: committing requests and reading sent mail."""

import re

import pytest
from django.core import mail


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs the block's on-commit callbacks (the mail) at its end.

    Tests run inside a transaction that never commits, so without this no mail
    requested by a request would ever leave.
    """
    return lambda: django_capture_on_commit_callbacks(execute=True)


def sent_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def token_in(message, path: str) -> str:
    """The token of the ``{SITE_URL}/<path>/<token>`` link in a mail's text and HTML parts."""
    found = re.search(rf"/{re.escape(path)}/([A-Za-z0-9_-]+)", message.body)
    assert found, f"no {path} link in: {message.body}"
    html = message.alternatives[0][0]
    assert f"/{path}/{found.group(1)}" in html
    return found.group(1)
