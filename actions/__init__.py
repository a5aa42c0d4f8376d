"""Rasa custom actions for Zorgroute: thin adapters around the triage core in ``bot``."""
