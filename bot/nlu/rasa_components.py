"""Rasa 3.6 graph components for Zorgroute's NLU pipeline (see ``config.yml``).

* :class:`ZorgrouteFactExtractor` turns the Dutch spaCy doc into Zorgroute entities.
* :class:`ZorgrouteMessageGuard` runs after the intent classifier: crisis signals found by rules
  force the ``crisis`` intent (a model miss must never hide a crisis), and messages that cannot be
  triaged (empty, far too long, no words, not Dutch) get the ``invalid_input`` intent with the
  problem as an ``invalid_input`` entity.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.errors import InvalidInputError
from bot.knowledge import KnowledgeBase, default_knowledge
from bot.nlu.extract import extract_entities
from bot.safety import default_detector
from bot.textinput import check

CRISIS_INTENT = "crisis"
INVALID_INTENT = "invalid_input"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ZorgrouteFactExtractor(GraphComponent, EntityExtractorMixin):
    """Adds parties, persons, ages, durations, signals and desks as entities."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    @classmethod
    def required_components(cls) -> list[type]:
        """The spaCy doc comes from SpacyNLP."""
        return [SpacyNLP]

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext,
    ) -> ZorgrouteFactExtractor:
        """Create the component with the project's validated knowledge base."""
        return cls(default_knowledge())

    def process(self, messages: list[Message]) -> list[Message]:
        """Add entities to every message that has a spaCy doc."""
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:
                continue
            found = extract_entities(doc, self.kb)
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages


def _forced_intent(name: str) -> dict[str, Any]:
    return {"name": name, "confidence": 1.0}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ZorgrouteMessageGuard(GraphComponent, IntentClassifier):
    """Overrides the classifier for crisis signals and untriageable messages.

    Config ``crisis_threshold``: the message counts as a crisis when the model gives the crisis
    intent at least this confidence, even if another intent scores higher (safety first).
    """

    def __init__(self, crisis_threshold: float) -> None:
        self.crisis_threshold = crisis_threshold

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Default: only the top intent or the rules decide."""
        return {"crisis_threshold": 1.01}

    @classmethod
    def required_components(cls) -> list[type]:
        """Runs after an intent classifier."""
        return [IntentClassifier]

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext,
    ) -> ZorgrouteMessageGuard:
        """Create the component (the crisis patterns load once per process)."""
        default_detector()
        return cls(float({**cls.get_default_config(), **config}["crisis_threshold"]))

    @staticmethod
    def _force(message: Message, name: str) -> None:
        message.set(INTENT, _forced_intent(name), add_to_output=True)
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
        message.set(INTENT_RANKING_KEY, [_forced_intent(name), *ranking], add_to_output=True)

    def process(self, messages: list[Message]) -> list[Message]:
        """Apply the crisis rules, then the input checks."""
        for message in messages:
            text = message.get(TEXT) or ""
            ranking = message.get(INTENT_RANKING_KEY) or []
            crisis_score = max((r.get("confidence") or 0.0 for r in ranking if r.get("name") == CRISIS_INTENT),
                               default=0.0)
            if default_detector().match(text) is not None or crisis_score >= self.crisis_threshold:
                self._force(message, CRISIS_INTENT)
                continue
            try:
                check(text)
            except InvalidInputError as problem:
                self._force(message, INVALID_INTENT)
                entity = {"entity": INVALID_INTENT, "value": problem.problem, "start": 0, "end": 0,
                          "extractor": type(self).__name__}
                message.set(ENTITIES, [entity], add_to_output=True)
        return messages
