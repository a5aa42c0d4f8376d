"""Rasa 3.6 graph components for Zorgroute's NLU pipeline (see ``config.yml``).

* :class:`ZorgrouteFactExtractor` turns the Dutch spaCy doc into Zorgroute entities.
* :class:`ZorgrouteCrisisScorer` trains the dedicated crisis classifier (:mod:`bot.nlu.crisis_model`)
  on the ``crisis`` intent plus the extra crisis corpus and adds a ``crisis_score`` to every message.
* :class:`ZorgrouteMessageGuard` runs after the intent classifier: crisis signals found by rules
  force the ``crisis`` intent (a model miss must never hide a crisis), and messages that cannot be
  triaged (empty, far too long, no words, not Dutch) get the ``invalid_input`` intent with the
  problem as an ``invalid_input`` entity.
"""

from __future__ import annotations

import pickle
from pathlib import Path
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
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.errors import InvalidInputError
from bot.knowledge import KnowledgeBase, default_knowledge
from bot.nlu.crisis_model import CrisisClassifier, LabelledText, read_corpus
from bot.nlu.extract import extract_entities
from bot.safety import crisis_decision, default_detector
from bot.textinput import check

CRISIS_INTENT = "crisis"
INVALID_INTENT = "invalid_input"
CRISIS_SCORE = "crisis_score"
_CLASSIFIER_FILE = "crisis_classifier.pkl"


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


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ZorgrouteCrisisScorer(GraphComponent):
    """Trains the binary crisis classifier and sets ``crisis_score`` (0..1) on every message.

    Config ``corpus``: a directory of extra NLU files (crisis messages and hard negatives) that are
    used only by this classifier, not by the intent model. ``regularisation``: the inverse
    regularisation strength of the logistic regression.
    """

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        classifier: CrisisClassifier | None = None,
    ) -> None:
        self.config = config
        self.model_storage = model_storage
        self.resource = resource
        self.classifier = classifier

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Default corpus folder and regularisation."""
        return {"corpus": "corpus/crisis", "regularisation": 10.0}

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext,
    ) -> ZorgrouteCrisisScorer:
        """Create an untrained scorer."""
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit on the intent examples (crisis against all others) and the extra corpus."""
        examples = [LabelledText(m.get(TEXT), m.get(INTENT) == CRISIS_INTENT)
                    for m in training_data.intent_examples if m.get(TEXT)]
        examples += read_corpus(Path(self.config["corpus"]))
        self.classifier = CrisisClassifier.train(examples, float(self.config["regularisation"]))
        with self.model_storage.write_to(self.resource) as directory:
            (directory / _CLASSIFIER_FILE).write_bytes(pickle.dumps(self.classifier.pipeline))
        return self.resource

    @classmethod
    def load(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext, **kwargs: Any,
    ) -> ZorgrouteCrisisScorer:
        """Load the classifier trained with the model (it only ever reads our own model archive)."""
        with model_storage.read_from(resource) as directory:
            pipeline = pickle.loads((directory / _CLASSIFIER_FILE).read_bytes())  # noqa: S301
        return cls({**cls.get_default_config(), **config}, model_storage, resource, CrisisClassifier(pipeline))

    def process(self, messages: list[Message]) -> list[Message]:
        """Score each message."""
        for message in messages:
            score = self.classifier.score(message.get(TEXT) or "") if self.classifier is not None else 0.0
            message.set(CRISIS_SCORE, score, add_to_output=True)
        return messages


def _forced_intent(name: str) -> dict[str, Any]:
    return {"name": name, "confidence": 1.0}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ZorgrouteMessageGuard(GraphComponent, IntentClassifier):
    """Overrides the classifier for crisis signals and untriageable messages.

    Config ``classifier_threshold``: the message counts as a crisis when the crisis classifier
    (:class:`ZorgrouteCrisisScorer`) gives at least this score; the rules count regardless.
    """

    def __init__(self, classifier_threshold: float, intent_corroboration: float = 0.0) -> None:
        self.classifier_threshold = classifier_threshold
        self.intent_corroboration = intent_corroboration

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Default: only the rules decide (no classifier threshold reachable); the intent model's guess stands."""
        return {"classifier_threshold": 1.01, "intent_corroboration": 0.0}

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
        merged = {**cls.get_default_config(), **config}
        return cls(float(merged["classifier_threshold"]), float(merged["intent_corroboration"]))

    @staticmethod
    def _force(message: Message, name: str) -> None:
        message.set(INTENT, _forced_intent(name), add_to_output=True)
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
        message.set(INTENT_RANKING_KEY, [_forced_intent(name), *ranking], add_to_output=True)

    @staticmethod
    def _demote_crisis(message: Message) -> None:
        """An uncorroborated crisis guess of the intent model: the next intent takes its place."""
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != CRISIS_INTENT]
        fallback = {"name": "nlu_fallback", "confidence": 1.0}
        message.set(INTENT, dict(ranking[0]) if ranking else fallback, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking or [fallback], add_to_output=True)

    def process(self, messages: list[Message]) -> list[Message]:
        """Apply the crisis rules, then the input checks."""
        for message in messages:
            text = message.get(TEXT) or ""
            intent_says_crisis = (message.get(INTENT) or {}).get("name") == CRISIS_INTENT
            verdict = crisis_decision(text, message.get(CRISIS_SCORE), self.classifier_threshold,
                                      intent_says_crisis=intent_says_crisis, corroboration=self.intent_corroboration)
            if verdict.is_crisis:
                self._force(message, CRISIS_INTENT)
                continue
            if intent_says_crisis:
                self._demote_crisis(message)
            try:
                check(text)
            except InvalidInputError as problem:
                self._force(message, INVALID_INTENT)
                entity = {"entity": INVALID_INTENT, "value": problem.problem, "start": 0, "end": 0,
                          "extractor": type(self).__name__}
                message.set(ENTITIES, [entity], add_to_output=True)
        return messages
