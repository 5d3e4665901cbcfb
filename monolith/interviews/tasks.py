"""Assessments' periodic work (scheduled by the monolith's Celery beat)."""

from monolith.interviews import services
from monolith.worker import app


@app.task(name="interviews.attempts.close_expired", acks_late=False, ignore_result=True)
def attempts_close_expired():
    """Submit the last saved code of attempts past their deadline."""
    return services.attempts_close_expired()


@app.task(name="interviews.invitations.remind", acks_late=False, ignore_result=True)
def invitations_remind():
    """Remind candidates whose link expires soon (once each)."""
    return services.invitations_remind()


@app.task(name="interviews.attempts.anonymise_expired", acks_late=False, ignore_result=True)
def attempts_anonymise_expired():
    """Erase the candidates of attempts finished before the retention period."""
    return services.attempts_anonymise_expired()
