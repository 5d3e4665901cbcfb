"""``manage.py exams_close_expired``: grade every exam attempt whose deadline passed.

Attempts are also closed when anything reads them; run this periodically (cron,
a scheduler) so an abandoned attempt is graded and its certificate issued even
if the learner never comes back.
"""

from django.core.management.base import BaseCommand

from monolith.certificates.services import attempts_close_expired


class Command(BaseCommand):
    help = "Submit the last saved answers of every exam attempt past its deadline and grade it."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100, help="Most attempts closed in one run.")

    def handle(self, *args, limit, **options):
        closed = attempts_close_expired(limit=limit)
        self.stdout.write(f"{closed} attempt(s) closed")
