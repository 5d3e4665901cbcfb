"""Identity assertion shared by the gateway (issues it) and every service (verifies it)."""
