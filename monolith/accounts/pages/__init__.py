"""Account pages (sign-up, password reset, settings, email addresses, teams, mail-link pages)."""
