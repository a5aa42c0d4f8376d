"""Zorgroute: a Dutch care-triage assistant (triage core, NLU parts, CLI)."""
