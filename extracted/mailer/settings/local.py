"""Local development: embedded defaults, debug on, mail printed unless SMTP is configured."""

from extracted.mailer.settings.base import *  # noqa: F403
from extracted.mailer.settings.base import env

# Off by default, so a person meets PolyCode's own error pages; DEBUG=true in .env
# brings back Django's debug pages (errors are always in the process's log).
DEBUG = env.bool("DEBUG", default=False)
# No SMTP server is needed on a fresh clone; set EMAIL_BACKEND=...smtp.EmailBackend and EMAIL_HOST to use one.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
