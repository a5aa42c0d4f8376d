"""Staff accounts and login sessions for the console (stored next to the tickets)."""
