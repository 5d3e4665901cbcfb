"""Certification exams' periodic work (scheduled by the monolith's Celery beat)."""

from monolith.certificates.services import attempts_close_expired
from monolith.worker import app


@app.task(name="certificates.exams.close_expired", acks_late=False, ignore_result=True)
def exams_close_expired():
    """Grade the attempts past their deadline (a learner who never came back gets their result)."""
    return attempts_close_expired(limit=100)
