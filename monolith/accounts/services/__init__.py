"""Account writes, one module per concern (wallet, emails, teams)."""
