"""The certification pages are the monolith's (it owns exams and certificates): routed there,
the public verification page and its PDF for anonymous visitors too."""

import pytest

from gateway_proxy.tests.conftest import assertion_of

pytestmark = pytest.mark.django_db
PAGES = [
    "/exams/4/",
    "/exams/attempts/9/",
    "/exams/attempts/9/timer",
    "/certificates/",
    "/certificates/q7Xo2bVd0kK9Zr1mT4uW8g",
    "/certificates/q7Xo2bVd0kK9Zr1mT4uW8g/pdf",
    "/u/ada/",
]


@pytest.mark.parametrize("path", PAGES)
def test_a_certification_page_reaches_the_monolith_as_the_visitor(gateway, monolith, path):
    response = gateway.get(path)

    assert response.status == 200
    [seen] = monolith.requests
    assert (seen["method"], seen["path"]) == ("GET", path)
    assert assertion_of(seen, "monolith").user_id == ""


def test_an_exam_answer_is_posted_to_the_monolith_from_the_same_origin(gateway, monolith):
    path = "/exams/attempts/9/exercises/3/submit"
    response = gateway.post(path, body=b"language=python&code=x", headers={"Origin": "http://testserver"})

    assert response.status == 200
    assert [(r["method"], r["path"]) for r in monolith.requests] == [("POST", path)]
