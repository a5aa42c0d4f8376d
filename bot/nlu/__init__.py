"""Dutch NLU parts: the spaCy pipeline, fact extraction and Rasa graph components."""
