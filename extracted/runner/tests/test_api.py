"""The runner's HTTP API: contracts, bad input as 4xx JSON, load shedding, idempotency."""

import threading
import time

import pytest

from extracted.runner import sandbox, services
from extracted.runner.sandbox.pool import Pool

HELLO = {"language": "python", "source": "print(input())", "stdin": "hi\n"}


def post(client, url, body, **headers):
    return client.post(url, body, format="json", **{f"HTTP_{k}": v for k, v in headers.items()})


@pytest.mark.sandbox
def test_languages_lists_every_toolchain_with_its_version(api_client):
    response = api_client.get("/api/languages")
    assert response.status_code == 200
    languages = {lang["id"]: lang for lang in response.json()["languages"]}
    assert {"python", "javascript", "c", "cpp", "java", "rust"} <= set(languages)
    assert languages["java"]["source_file"] == "Main.java"
    assert languages["c"]["compiled"] is True
    assert languages["python"]["version"].startswith("3.")


@pytest.mark.sandbox
def test_run_answers_with_the_verdict_and_the_outputs(api_client):
    response = post(api_client, "/api/runs", HELLO)
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "accepted"
    assert body["stdout"] == "hi\n"
    assert set(body) == {
        "verdict", "stdout", "stderr", "exit_code", "signal", "cpu_ms", "wall_ms", "memory_kb",
        "stdout_truncated", "stderr_truncated", "compile_output",
    }  # fmt: skip


@pytest.mark.sandbox
def test_judge_compiles_once_and_answers_per_test_with_a_summary(api_client):
    body = {
        "language": "c",
        "source": '#include <stdio.h>\nint main(void){int a,b;scanf("%d %d",&a,&b);printf("%d\\n",a+b);}\n',
        "tests": [
            {"id": "1", "stdin": "1 2", "expected_stdout": "3"},
            {"id": "2", "stdin": "2 2", "expected_stdout": "5"},
            {"id": 3, "stdin": "-1 1", "expected_stdout": "0\n\n"},
        ],
    }
    response = post(api_client, "/api/judge", body)
    assert response.status_code == 200
    data = response.json()
    assert [(t["id"], t["verdict"]) for t in data["tests"]] == [
        ("1", "accepted"),
        ("2", "wrong_answer"),
        ("3", "accepted"),
    ]
    assert data["summary"]["passed"] == 2
    assert data["summary"]["total"] == 3
    assert data["verdict"] == "wrong_answer"


@pytest.mark.sandbox
def test_health_reports_the_sandbox_layers(api_client):
    response = api_client.get("/health")
    assert response.status_code == 200
    report = response.json()["sandbox"]
    assert report["seccomp"]["enabled"] is True
    assert "ptrace" in report["seccomp"]["denied"]
    assert report["cgroups"]["enforced"] in (True, False)
    assert report["sandbox_uid"] == 65534


def test_schema_and_swagger_ui_are_served(api_client):
    assert api_client.get("/api/schema/").status_code == 200
    assert api_client.get("/api/docs/").status_code == 200


def test_the_docs_under_the_gateways_prefix_load_the_runners_own_script_and_schema(api_client):
    # The gateway's /api/runner/docs/ is this service's /api/docs/; /api/schema/ there is the monolith's.
    forwarded = {"HTTP_X_FORWARDED_PATH": "/api/runner/docs/", "REMOTE_ADDR": "127.0.0.1"}

    html = api_client.get("/api/docs/", **forwarded).content.decode()
    script = api_client.get("/api/docs/?script=", **forwarded).content.decode()

    assert 'src="/api/runner/docs/?script="' in html
    assert "<script>" not in html  # no inline script: the page works under a Content-Security-Policy
    assert '"/api/runner/schema/"' in script
    schema = api_client.get("/api/schema/?format=json").json()
    assert schema["info"]["title"] == "PolyCode runner API"
    # Its operations as clients reach them through the gateway (try-it-out calls go there).
    assert sorted(schema["paths"]) == ["/api/runner/judge", "/api/runner/languages", "/api/runner/runs"]


@pytest.mark.sandbox
def test_unknown_language_is_refused_listing_the_known_ones(api_client):
    response = post(api_client, "/api/runs", {**HELLO, "language": "cobol"})
    assert response.status_code == 400
    body = response.json()
    assert "language" in body["fields"]
    assert "python" in body["fields"]["language"][0]
    assert "rust" in body["fields"]["language"][0]


@pytest.mark.parametrize(
    ("limits", "field"),
    [
        ({"cpu_seconds": 16}, "cpu_seconds"),
        ({"wall_seconds": 21}, "wall_seconds"),
        ({"memory_mb": 513}, "memory_mb"),
        ({"output_kb": 1025}, "output_kb"),
        ({"memory_mb": "lots"}, "memory_mb"),
        ({"cpu_seconds": -1}, "cpu_seconds"),
        ({"gpu": 1}, "gpu"),
    ],
)
def test_limits_beyond_their_maximum_are_refused_naming_the_field(api_client, limits, field):
    response = post(api_client, "/api/runs", {**HELLO, "limits": limits})
    assert response.status_code == 400
    assert field in response.json()["fields"]["limits"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "python"}, "source"),
        ({"source": "print(1)"}, "language"),
        ({**HELLO, "source": 42}, "source"),
        ({**HELLO, "stdin": ["a"]}, "stdin"),
        ({**HELLO, "source": "x" * (64 * 1024 + 1)}, "source"),
        ({**HELLO, "files": [{"name": "../etc/passwd", "content": ""}]}, "files"),
        ({**HELLO, "limits": [1, 2]}, "limits"),
    ],
)
def test_bad_run_input_is_a_400_naming_the_field(api_client, body, field):
    response = post(api_client, "/api/runs", body)
    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "python", "source": "", "tests": []}, "tests"),
        ({"language": "python", "source": "", "tests": [{"id": "1"}]}, "tests"),
        (
            {"language": "python", "source": "", "tests": [{"stdin": "", "expected_stdout": ""}] * 101},
            "tests",
        ),
        ({"language": "python", "source": "", "tests": "x"}, "tests"),
        (
            {
                "language": "python",
                "source": "",
                "tests": [{"id": "1", "expected_stdout": ""}],
                "compare": "fuzzy",
            },
            "compare",
        ),
    ],
)
def test_bad_judge_input_is_a_400_naming_the_field(api_client, body, field):
    response = post(api_client, "/api/judge", body)
    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.sandbox
def test_source_over_the_byte_limit_is_refused_even_when_short_in_characters(api_client):
    response = post(api_client, "/api/runs", {**HELLO, "source": "é" * 40000})
    assert response.status_code == 400
    assert "source" in response.json()["fields"]


def test_malformed_json_is_a_400_json_error(api_client):
    response = api_client.post("/api/runs", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_json_array_body_is_a_400(api_client):
    response = api_client.post("/api/runs", data="[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["fields"]


@pytest.fixture
def tiny_pool(box, monkeypatch):
    """One run slot and no queue, so a second concurrent run finds the pool full."""
    monkeypatch.setattr(box, "pool", Pool(workers=1, queue=0, queue_timeout=5, retry_after=2))
    return box.pool


@pytest.mark.sandbox
def test_full_pool_answers_503_with_retry_after_at_once(api_client, tiny_pool):
    started = threading.Event()
    results = {}

    def long_run():
        started.set()
        results["long"] = sandbox.get_sandbox().run(
            language="python", source="import time\ntime.sleep(1.5)\nprint('done')"
        )

    worker = threading.Thread(target=long_run)
    worker.start()
    started.wait()
    deadline = time.monotonic() + 5
    while tiny_pool.stats()["running"] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    began = time.monotonic()
    response = post(api_client, "/api/runs", HELLO)
    elapsed = time.monotonic() - began
    worker.join()
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response.json()["code"] == "busy"
    assert elapsed < 0.5
    assert results["long"].stdout == "done\n"
    assert post(api_client, "/api/runs", HELLO).status_code == 200


RANDOM = {"language": "python", "source": "import os\nprint(os.urandom(16).hex())"}


@pytest.mark.sandbox
def test_idempotency_key_returns_the_first_result_without_running_again(api_client, box, monkeypatch):
    calls = []
    original = box.run
    monkeypatch.setattr(box, "run", lambda **kw: calls.append(1) or original(**kw))
    first = post(api_client, "/api/runs", RANDOM, IDEMPOTENCY_KEY="key-1")
    again = post(api_client, "/api/runs", RANDOM, IDEMPOTENCY_KEY="key-1")
    other = post(api_client, "/api/runs", RANDOM, IDEMPOTENCY_KEY="key-2")
    assert first.status_code == again.status_code == other.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert other.json()["stdout"] != first.json()["stdout"]
    assert len(calls) == 2


@pytest.mark.sandbox
def test_concurrent_requests_with_one_idempotency_key_run_once(api_client, box, monkeypatch):
    calls = []
    original = box.run
    monkeypatch.setattr(box, "run", lambda **kw: calls.append(1) or original(**kw))
    body = {"language": "python", "source": "import os, time\ntime.sleep(0.3)\nprint(os.urandom(8).hex())"}
    answers = []

    def send():
        from rest_framework.test import APIClient

        answers.append(post(APIClient(), "/api/runs", body, IDEMPOTENCY_KEY="same-key"))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len({a.json()["stdout"] for a in answers}) == 1


@pytest.mark.sandbox
def test_idempotency_key_reused_for_another_request_is_a_conflict(api_client):
    assert post(api_client, "/api/runs", HELLO, IDEMPOTENCY_KEY="key-3").status_code == 200
    response = post(api_client, "/api/runs", {**HELLO, "stdin": "other\n"}, IDEMPOTENCY_KEY="key-3")
    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["fields"]


def test_an_oversized_idempotency_key_is_refused(api_client):
    response = post(api_client, "/api/runs", HELLO, IDEMPOTENCY_KEY="k" * 300)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]


def test_service_errors_map_sandbox_input_errors_to_fields():
    with pytest.raises(services.ServiceError) as caught:
        services._call(
            lambda: (_ for _ in ()).throw(sandbox.LimitError("Must be at most 512.", field="memory_mb"))
        )
    assert caught.value.field == "memory_mb"


@pytest.mark.sandbox
def test_one_users_idempotency_key_neither_answers_nor_blocks_another_users_request():
    from rest_framework.test import APIClient

    from common.identity.users import AssertedUser

    ada, grace = APIClient(), APIClient()
    ada.force_authenticate(AssertedUser(id=1, username="ada"))
    grace.force_authenticate(AssertedUser(id=2, username="grace"))

    mine = post(ada, "/api/runs", RANDOM, IDEMPOTENCY_KEY="shared-key")
    theirs = post(grace, "/api/runs", {**RANDOM, "stdin": "other\n"}, IDEMPOTENCY_KEY="shared-key")

    assert mine.status_code == theirs.status_code == 200
    assert "Idempotent-Replayed" not in theirs
    assert theirs.json()["stdout"] != mine.json()["stdout"]
