"""Campaigns' periodic work (scheduled by the monolith's Celery beat)."""

from monolith.campaigns import services
from monolith.worker import app


@app.task(name="campaigns.results.publish_due", acks_late=False, ignore_result=True)
def results_publish_due():
    """Publish the results of ended campaigns (ranks, prizes, mails); safe to repeat."""
    return services.campaigns_publish_due()
