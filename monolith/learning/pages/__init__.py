"""Learning's web pages (catalogue, lessons, exercises, dashboard, leaderboard, history)."""
