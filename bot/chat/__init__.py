"""The public chat endpoint: Rasa's REST channel with body limits, rate limits and a Dutch apology."""
