"""``manage.py assessments_close_expired [--remind] [--anonymise]``: the interviews' periodic job."""

from django.core.management.base import BaseCommand

from monolith.interviews import services


class Command(BaseCommand):
    help = "Submit the last saved code of attempts past their deadline; with --remind, send due reminders."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anonymise",
            action="store_true",
            help="Also erase candidates of attempts finished before INTERVIEWS_RETENTION_DAYS.",
        )
        parser.add_argument(
            "--remind", action="store_true", help="Also remind candidates whose link expires soon."
        )

    def handle(self, *args, remind: bool = False, anonymise: bool = False, **options):
        closed = services.attempts_close_expired()
        self.stdout.write(f"{closed} attempt(s) closed at their deadline")
        if remind:
            self.stdout.write(f"{services.invitations_remind()} reminder(s) sent")
        if anonymise:
            self.stdout.write(f"{services.attempts_anonymise_expired()} candidate(s) anonymised")
