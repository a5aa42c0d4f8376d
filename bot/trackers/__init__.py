"""Rasa's conversation trackers in production: the SQL tracker store and its retention job."""
