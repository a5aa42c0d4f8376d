"""spaCy pipeline component that corrects misspelled domain words.

Citizens write "zorgverzekeraa", "indicatsie" or "verpleegtehuis". For every token that is not a
known Dutch word (the lemmatizer's lookup table) the normaliser looks for a domain word
(from ``knowledge/lexicon.yml``) within a small edit distance, and sets the token's ``norm_`` and
``lemma_`` to it. Later components (the span ruler, Rasa's count-vector featurizer, which reads
lemmas) then see the corrected word.
"""

import warnings
from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc

MIN_LENGTH = 5

# The span ruler passes its phrase patterns through the whole pipeline on purpose (so they are
# normalised like messages); spaCy warns about that on every load.
warnings.filterwarnings("ignore", message=r".*\[W012\]")


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance, giving up (returning ``limit + 1``) past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_distance(word: str) -> int:
    """Typos allowed for a word of this length."""
    return 1 if len(word) < 9 else 2


def plausible(word: str, candidate: str, distance: int) -> bool:
    """Two typos only count when the word keeps its first two and its last letter."""
    return distance < 2 or (word[:2] == candidate[:2] and word[-1] == candidate[-1])


class DomainNormalizer:
    """Maps unknown tokens to the nearest domain word (see module docstring)."""

    def __init__(self, nlp: Language, name: str, vocabulary: Iterable[str]) -> None:
        self.nlp = nlp
        self.name = name
        self.vocabulary = sorted({w.lower() for w in vocabulary if len(w) >= MIN_LENGTH and w.isalpha()})
        self._by_first: dict[str, list[str]] = {}
        for word in self.vocabulary:
            self._by_first.setdefault(word[0], []).append(word)
        self._known: set[str] | None = None

    def _known_words(self) -> set[str]:
        if self._known is None:
            known: set[str] = set()
            if "lemmatizer" in self.nlp.pipe_names:
                lookups = self.nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
                if lookups.has_table("lemma_lookup"):
                    table = lookups.get_table("lemma_lookup")
                    known = {str(key).lower() for key in table if isinstance(key, str)}
                    known.update(str(v).lower() for v in table.values() if isinstance(v, str))
            self._known = known
        return self._known

    def correct(self, word: str) -> str | None:
        """The domain word ``word`` is a misspelling of, or None."""
        if len(word) < MIN_LENGTH or not word.isalpha() or word in self._by_first.get(word[0], ()):
            return None
        if word in self._known_words():
            return None
        limit = allowed_distance(word)
        best: list[tuple[int, str]] = []
        for candidate in self._by_first.get(word[0], ()):
            distance = edit_distance(word, candidate, limit)
            if distance <= limit and plausible(word, candidate, distance):
                best.append((distance, candidate))
        if not best:
            return None
        best.sort()
        if len(best) > 1 and best[0][0] == best[1][0]:
            return None  # ambiguous: leave the word alone
        return best[0][1]

    def __call__(self, doc: Doc) -> Doc:
        """Normalise the tokens of ``doc`` in place."""
        for token in doc:
            fixed = self.correct(token.lower_)
            if fixed is not None:
                token.norm_ = fixed
                token.lemma_ = fixed
        return doc


@Language.factory("zorgroute_normalizer", default_config={"vocabulary": []})
def make_normalizer(nlp: Language, name: str, vocabulary: list[str]) -> DomainNormalizer:
    """SpaCy factory for :class:`DomainNormalizer` (also registered as an entry point)."""
    return DomainNormalizer(nlp, name, vocabulary)
