"""Build the Dutch spaCy pipeline from the knowledge base, offline.

``spacy.blank("nl")`` + sentencizer + lookup lemmatizer (tables from spacy-lookups-data, stored in
the pipeline) + the domain normaliser + a span ruler with the lexicon's terms and the routes'
aliases. ``python -m bot.nlu.pipeline build`` saves it, packages it as ``nl_zorgroute`` and installs
that package into the running virtual environment, so Rasa's ``SpacyNLP`` loads it by name.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import spacy
from spacy.cli.package import package
from spacy.language import Language

from bot.knowledge import KnowledgeBase, default_knowledge
from bot.nlu import spacy_components

PACKAGE_NAME = "zorgroute"  # spaCy prefixes the language: the package is nl_zorgroute
SPANS_KEY = "zorgroute"


def term_pattern(term: str) -> str | list[dict[str, Any]]:
    """A span-ruler pattern for one lexicon term (see the header of lexicon.yml)."""
    term = term.strip().lower()
    if term.endswith("*") and " " not in term:
        return [{"NORM": {"REGEX": f"^{term[:-1]}"}}]
    return term


def ruler_patterns(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """All span-ruler patterns: parties, persons, signals and desk names."""
    groups: list[tuple[str, str, tuple[str, ...]]] = []
    groups += [("partij", pid, party.terms) for pid, party in kb.lexicon.parties.items()]
    groups += [("persoon", who, terms) for who, terms in kb.lexicon.persons.items()]
    groups += [("signaal", name, signal.terms) for name, signal in kb.lexicon.signals.items()]
    groups += [("loket", rid, (*route.aliases,)) for rid, route in kb.routes.items()]
    return [
        {"label": label, "id": item_id, "pattern": term_pattern(term)}
        for label, item_id, terms in groups
        for term in terms
    ]


def domain_vocabulary(kb: KnowledgeBase) -> list[str]:
    """Single domain words the normaliser may correct misspellings to."""
    words: set[str] = set()
    for pattern in ruler_patterns(kb):
        text = pattern["pattern"]
        if isinstance(text, str):
            words.update(w for w in text.split() if len(w) >= 6 and w.isalpha())
        else:
            words.add(text[0]["NORM"]["REGEX"].lstrip("^"))
    return sorted(w for w in words if w.isalpha() and len(w) >= 6)


def build_nlp(kb: KnowledgeBase) -> Language:
    """Build the pipeline in memory (no files written)."""
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("zorgroute_normalizer", config={"vocabulary": domain_vocabulary(kb)})
    nlp.add_pipe(
        "span_ruler",
        config={"spans_key": SPANS_KEY, "phrase_matcher_attr": "NORM", "validate": True},
    )
    nlp.initialize()
    with warnings.catch_warnings():
        # Phrase patterns deliberately pass through the normaliser so they match normalised text.
        warnings.filterwarnings("ignore", message=r".*\[W012\]")
        nlp.get_pipe("span_ruler").add_patterns(ruler_patterns(kb))  # type: ignore[attr-defined]
    nlp.meta["name"] = PACKAGE_NAME
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Zorgroute Dutch pipeline: lemmas, spelling normaliser, care lexicon."
    return nlp


def fingerprint(kb: KnowledgeBase) -> str:
    """Hash of everything the pipeline is built from (knowledge + component code)."""
    digest = hashlib.sha256()
    for path in [*sorted(kb.directory.glob("*.yml")), Path(spacy_components.__file__), Path(__file__)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_and_install(output: Path) -> None:
    """Save, package and pip-install the pipeline (``nl_zorgroute``)."""
    kb = default_knowledge()
    nlp = build_nlp(kb)
    model_dir = output / "pipeline"
    package_dir = output / "package"
    nlp.meta["zorgroute_fingerprint"] = fingerprint(kb)
    model_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(model_dir)
    package_dir.mkdir(parents=True, exist_ok=True)
    # Called as a function: spaCy 3.4's command-line wrapper misreads flags with this click version.
    package(model_dir, package_dir, create_meta=False, create_sdist=True, force=True, silent=True)
    dist = sorted(package_dir.glob(f"nl_{PACKAGE_NAME}-*/dist/*.tar.gz"))[-1]
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--force-reinstall", str(dist)],
        check=True,
    )
    print(f"Installed spaCy pipeline nl_{PACKAGE_NAME} from {dist}")


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m bot.nlu.pipeline build [--output DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["build"])
    parser.add_argument("--output", type=Path, default=Path("build/spacy"))
    args = parser.parse_args(argv)
    build_and_install(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
