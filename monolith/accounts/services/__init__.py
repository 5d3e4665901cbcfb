"""Account writes, one module per concern (users, emails, teams, wallet)."""
