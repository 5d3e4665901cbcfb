"""The runbook as a test for the runner: legacy → extracted → legacy → extracted with ``strangle runner``.

A fresh monolith (gunicorn, its own PostgreSQL database, the demo content) and the runner service
(gunicorn), registered as the monolith finds it (``SERVICE_URL_RUNNER``) and in the gateway's
registry: with ``runner_via_service`` on, the monolith calls the runner's ``/api/judge`` with its
own service assertion; off, it runs the code in-process with the sandbox library. At every stage
learners submit Python solutions through the monolith's API as the gateway sends them (their
identity assertion), several at once: a right one, the same again (an exercise already solved), a
wrong one (a wrong answer or a crash), then the right one for that exercise twice at once (racing
first successes); while each step runs, one more learner submits.
Grading is synchronous: the answer of a submission is its verdict. After every step and every
round, with the same expectations whichever side ran the code:

- every submission made has exactly one recorded verdict, the one answered, and it is right (a
  right solution passes every validator, a wrong one does not); nothing else is recorded;
- each learner's progress counts every attempt and marks solved exactly the exercises solved;
- points are awarded exactly once per solved exercise: one ledger entry under the exercise's
  reward reference, of its reward, and none other; the balance is their sum;
- the code ran on the side the switch names: the runner's own count of judge calls grows by the
  round's submissions while the switch is on, and not at all while it is off.
"""

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from common.messaging.fixtures import rabbitmq  # noqa: F401 - fixture
from common.messaging.testing import ROOT
from gateway_proxy import switches
from gateway_proxy.tests.stack import Stack, as_learner, environ, register_learner, rows, strangle

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.rabbitmq,
    pytest.mark.sandbox,
    pytest.mark.django_db(transaction=True),
]

#: Demo exercises (reward > 0), solved with the demo's reference solutions (read as files).
EXERCISES = ("hello-you", "sum-of-two-numbers", "is-it-prime", "max-of-a-list", "fibonacci")
WRONG = (
    'print("not the answer")\n',  # runs to its end, prints the wrong thing
    "import sys\nsys.exit(3)\n",  # a crash
)
LEARNERS = 4


@pytest.fixture(scope="module")
def runner_stack(rabbitmq):  # noqa: F811 - fixture
    """A monolith on a new database with the demo content, and a runner service the monolith can call."""
    stack = Stack(broker_url=rabbitmq.url)
    try:
        mono_url = stack.database("mono")
        mono_env = stack.env("monolith", "monolith.settings.test", DATABASE_URL=mono_url)
        stack.manage(mono_env, "migrate", "-v0", "--noinput")
        stack.manage(mono_env, "load_demo")
        runner_env = stack.env("runner", "extracted.runner.settings.test")
        runner = stack.web("extracted.runner.wsgi:application", runner_env, "runner")
        mono_env["SERVICE_URL_RUNNER"] = runner.url  # where the monolith calls the runner (switch on)
        monolith = stack.web("monolith.wsgi:application", mono_env, "monolith")
        with environ(POLYCODE_ENV="test", DATABASE_URL=mono_url):
            yield {"monolith": monolith.url, "runner": runner.url, "mono_url": mono_url}
    finally:
        stack.close()


@pytest.fixture
def stack(runner_stack, register):
    register("monolith", runner_stack["monolith"])
    register("runner", runner_stack["runner"])
    return runner_stack


@dataclass(frozen=True)
class Made:
    """A submission as the learner saw it: its id and the verdict answered."""

    id: int
    user_id: int
    exercise_id: int
    passed: bool


class Walk:
    def __init__(self, services):
        self.monolith, self.db, self.runner = services["monolith"], services["mono_url"], services["runner"]
        found = rows(
            self.db,
            "SELECT slug, id, reward FROM learning_content WHERE kind = 'exercise' AND slug = ANY(%s)",
            (list(EXERCISES),),
        )
        self.exercise = {slug: (exercise_id, reward) for slug, exercise_id, reward in found}
        assert set(self.exercise) == set(EXERCISES)
        assert all(reward > 0 for _, reward in self.exercise.values())
        self.right = {
            slug: (ROOT / "monolith" / "learning" / "demo_solutions" / slug / "main.py").read_text()
            for slug in EXERCISES
        }
        tag = uuid.uuid4().hex[:6]
        self.learners = [register_learner(self.monolith, f"run{tag}{n}") for n in range(LEARNERS)]
        self.made: list[Made] = []
        self._lock = threading.Lock()

    # -- submitting, as the gateway would send each learner

    def submit(self, learner, slug: str, code: str, *, right: bool) -> None:
        user_id, username, _ = learner
        exercise_id, _ = self.exercise[slug]
        response = requests.post(
            f"{self.monolith}/api/v1/learning/exercises/{exercise_id}/submit",
            json={"language": "python", "code": code}, headers=as_learner(user_id, username), timeout=120,
        )  # fmt: skip
        assert response.status_code == 201, (slug, response.status_code, response.text[:500])
        body = response.json()
        assert body["passed"] is right, (slug, right, body["results"])
        with self._lock:
            self.made.append(Made(body["id"], user_id, exercise_id, body["passed"]))

    def submit_thread(self, n: int, stage: int) -> threading.Thread:
        """Learner ``n`` submits a right solution in a thread of its own (while a step runs)."""
        slug = EXERCISES[(n + stage + 2) % len(EXERCISES)]
        errors = []

        def run():
            try:
                self.submit(self.learners[n], slug, self.right[slug], right=True)
            except BaseException as exc:  # reported by the caller
                errors.append(exc)

        thread = threading.Thread(target=run)
        thread.errors = errors
        thread.start()
        return thread

    def learner_round(self, n: int, stage: int) -> None:
        """A right solution, the right one again (already solved), a wrong one for the next exercise,
        then its right one twice at once (two racing first successes)."""
        learner = self.learners[n]
        slug, other = EXERCISES[(n + stage) % len(EXERCISES)], EXERCISES[(n + stage + 1) % len(EXERCISES)]
        self.submit(learner, slug, self.right[slug], right=True)
        self.submit(learner, slug, self.right[slug], right=True)
        self.submit(learner, other, WRONG[(n + stage) % len(WRONG)], right=False)
        with ThreadPoolExecutor(max_workers=2) as pool:
            racing = [pool.submit(self.submit, learner, other, self.right[other], right=True) for _ in "ab"]
            for done in racing:
                done.result()

    def round(self, stage: int) -> int:
        """Every learner's round, all at once; the number of submissions made."""
        before = len(self.made)
        with ThreadPoolExecutor(max_workers=LEARNERS) as pool:
            for done in [pool.submit(self.learner_round, n, stage) for n in range(LEARNERS)]:
                done.result()
        return len(self.made) - before

    # -- where the code ran

    def judged_by_runner(self) -> float:
        """The runner service's own count of judge calls (its /metrics)."""
        text = requests.get(f"{self.runner}/metrics", timeout=30).text
        return sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "polycode_runner_verdicts_total" and sample.labels.get("kind") == "judge"
        )

    # -- the invariants

    def check(self, when: str) -> None:
        ids = [user_id for user_id, _, _ in self.learners]
        recorded = rows(
            self.db,
            "SELECT id, user_id, exercise_id, passed, results FROM learning_submission "
            "WHERE user_id = ANY(%s)",
            (ids,),
        )
        made = {m.id: m for m in self.made}
        assert len(made) == len(self.made), f"{when}: one submission id answered twice"
        assert {r[0] for r in recorded} == set(made), f"{when}: recorded submissions differ from those made"
        for submission_id, user_id, exercise_id, passed, results in recorded:
            m = made[submission_id]
            assert (user_id, exercise_id, passed) == (m.user_id, m.exercise_id, m.passed), when
            verdicts = [result["verdict"] for result in results]
            assert verdicts, f"{when}: submission {submission_id} has no verdict per validator"
            assert all(v == "accepted" for v in verdicts) is passed, (when, submission_id, verdicts)

        attempts = Counter((m.user_id, m.exercise_id) for m in self.made)
        solved = {(m.user_id, m.exercise_id) for m in self.made if m.passed}
        progress = rows(
            self.db,
            "SELECT user_id, exercise_id, attempts, first_passed_at IS NOT NULL "
            "FROM learning_exerciseprogress WHERE user_id = ANY(%s)",
            (ids,),
        )
        assert {(u, e): n for u, e, n, _ in progress} == dict(attempts), f"{when}: attempts"
        assert {(u, e) for u, e, _, ok in progress if ok} == solved, f"{when}: solved exercises"

        reward = {exercise_id: points for exercise_id, points in self.exercise.values()}
        expected = sorted((u, f"reward:user:{u}:exercise:{e}", reward[e]) for u, e in solved)
        ledger = rows(
            self.db,
            "SELECT wallet_id, reference, amount FROM accounts_ledgerentry WHERE wallet_id = ANY(%s)",
            (ids,),
        )
        assert sorted(ledger) == expected, f"{when}: points awarded other than once per solved exercise"
        balances = dict(
            rows(self.db, "SELECT user_id, balance FROM accounts_wallet WHERE user_id = ANY(%s)", (ids,))
        )
        for user_id in ids:
            owed = sum(reward[e] for u, e in solved if u == user_id)
            assert balances.get(user_id, 0) == owed, f"{when}: learner {user_id} has {balances.get(user_id)}"


@pytest.mark.timeout(600)
def test_the_runner_runbook_walk_gives_every_submission_one_right_verdict_and_points_once(stack):
    walk = Walk(stack)
    assert not switches.switch_state("runner_via_service")  # created off by the monolith's migration
    walk.check("start")

    def round_at(stage: int, label: str, *, on: bool) -> None:
        judged = walk.judged_by_runner()
        made = walk.round(stage)
        walk.check(f"submissions at {label}")
        ran_there = walk.judged_by_runner() - judged
        assert ran_there == (made if on else 0), f"{label}: the runner judged {ran_there} of {made}"

    round_at(0, "legacy", on=False)
    steps = [("extracted", True), ("legacy", False), ("extracted", True)]
    for stage, (target, on) in enumerate(steps, start=1):
        label = f"{target} ({stage})"
        during = walk.submit_thread(stage % LEARNERS, stage)
        out = strangle("runner", target, "--reason", f"walk {label}")
        during.join(timeout=120)
        assert not during.is_alive(), f"{label}: the submission made during the step did not end"
        assert not during.errors, during.errors
        assert "FAIL" not in out, out
        assert "[ok] monolith switch API" in out
        if on:
            assert f"[ok] runner healthy: 1 instance(s) answer /health: {stack['runner']}/health" in out
            assert "switch runner_via_service: off → on" in out
        else:
            assert "[ok] monolith healthy" in out
            assert "switch runner_via_service: on → off" in out
        assert switches.switch_state("runner_via_service") is on
        walk.check(f"after the step to {label}")
        round_at(stage, label, on=on)

    status = strangle("runner")
    assert "runner: extracted" in status
    assert "switch runner_via_service: on" in status
    solved = {(m.user_id, m.exercise_id) for m in walk.made if m.passed}
    assert len(solved) >= LEARNERS * 4  # every learner earned points at every stage
