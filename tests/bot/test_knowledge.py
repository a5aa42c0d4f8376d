"""The knowledge base loads, is complete, and every kind of mistake is reported by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.errors import (
    ConflictingRulesError,
    KnowledgeBaseError,
    MissingSourceError,
    SchemaError,
    UnknownFactError,
    UnknownRouteError,
    UnreachableRuleError,
)
from bot.facts import Facts
from bot.knowledge import load_knowledge
from bot.knowledge_checks import source_id
from tests.conftest import SHARED_DIR

DESIGN_ROUTE_IDS = {
    "noodhulp", "huisarts", "ciz", "zorgkantoor", "clientondersteuning_wlz",
    "zorgverzekeraar_zorgbemiddeling", "regiotafel_hoogcomplexe_ggz", "gemeente_wmo",
    "clientondersteuning_gemeente", "bezwaar_gemeente", "gemeente_jeugd", "regionaal_expertteam_jeugd",
    "klachtenfunctionaris", "geschilleninstantie", "klacht_zorgverzekeraar", "skgz", "klacht_zorgkantoor",
    "klacht_gemeente", "akj", "lmz", "nza_meldpunt", "familievertrouwenspersoon", "cce", "juiste_loket",
    "vws_unit",
}


def test_every_design_route_exists(kb):
    assert set(kb.routes) >= DESIGN_ROUTE_IDS


def test_design_route_ids_match_design_card():
    """The list above is the one in design.md (guards against drift of this test itself)."""
    design = (SHARED_DIR / "design.md").read_text(encoding="utf-8")
    section = design.split("Route ids", 1)[1].split("Staff/CLI", 1)[0]
    assert set(re.findall(r"`([a-z_]+)`", section)) == DESIGN_ROUTE_IDS


def test_every_rule_refers_only_to_existing_routes_and_facts(kb):
    for rule in kb.rules:
        assert set(rule.ladder) <= set(kb.routes), rule.id
        for condition in rule.when:
            assert condition.fact in kb.facts, (rule.id, condition.fact)


def test_sources_of_primary_letters_exist(kb):
    cited = {source_id(r.source) for r in kb.routes.values()} | {source_id(r.source) for r in kb.rules}
    for sid in cited:
        if kb.sources[sid]["kind"] == "letter":
            assert (SHARED_DIR / "sources" / sid).is_file(), sid


def test_contact_details_appear_in_a_source_or_the_research(kb):
    """No contact detail is invented: every phone number and e-mail is in the shared material."""
    corpus = (SHARED_DIR / "domain" / "routes-research.md").read_text(encoding="utf-8")
    corpus += (SHARED_DIR / "design.md").read_text(encoding="utf-8")
    corpus += "".join(p.read_text(encoding="utf-8") for p in (SHARED_DIR / "sources").glob("*.txt"))
    digits_corpus = re.sub(r"\D", "", corpus)
    for route in kb.routes.values():
        for key, value in route.contact.items():
            if key in ("phone", "alt_phone", "ombudsman_phone"):
                assert re.sub(r"\D", "", value) in digits_corpus, (route.id, value)
            if key in ("email", "bezwaar_email"):
                assert value in corpus, (route.id, value)


def test_facts_model_mirrors_facts_yml(kb):
    assert set(Facts().for_rules(None)) == set(kb.facts)


def _edit(directory: Path, name: str, change) -> None:
    path = directory / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _rule(data, rule_id):
    return next(r for r in data["rules"] if r["id"] == rule_id)


@pytest.mark.parametrize(
    ("file", "change", "error", "words"),
    [
        ("rules.yml", lambda d: _rule(d, "wlz.standaard")["ladder"].append("bestaat_niet"),
         UnknownRouteError, ["rules.yml", "wlz.standaard", "bestaat_niet"]),
        ("rules.yml", lambda d: _rule(d, "zvw.wachttijd").update(when={"wachttijd_lang": True}),
         UnknownFactError, ["rules.yml", "zvw.wachttijd", "wachttijd_lang"]),
        ("rules.yml", lambda d: _rule(d, "zvw.wachttijd").update(when={"who": "buurman"}),
         UnknownFactError, ["zvw.wachttijd", "buurman"]),
        ("rules.yml", lambda d: _rule(d, "klacht.rekening").update(source=""),
         MissingSourceError, ["rules.yml", "klacht.rekening", "no source"]),
        ("routes.yml", lambda d: d["routes"]["skgz"].update(source="verzonnen.nl, pagina"),
         MissingSourceError, ["routes.yml", "skgz", "verzonnen.nl"]),
        ("rules.yml", lambda d: _rule(d, "wmo.besluit_afgewezen").update(when={}),
         UnreachableRuleError, ["wmo.gemeente_zonder_resultaat", "can never fire"]),
        ("rules.yml", lambda d: d["rules"].insert(0, dict(_rule(d, "zvw.wachttijd"), ladder=["huisarts"])),
         ConflictingRulesError, ["zvw.wachttijd"]),
        ("rules.yml", lambda d: d["rules"].remove(_rule(d, "klacht.standaard")),
         SchemaError, ["category 'klacht'", "default rule"]),
        ("rules.yml", lambda d: _rule(d, "zvw.wachttijd").update(when={"age": {"about": 3}}),
         SchemaError, ["zvw.wachttijd", "about"]),
        ("rules.yml", lambda d: d["category_overrides"][0].update(to="wmo"),
         SchemaError, ["leeftijd.minderjarig_naar_jeugdwet", "into itself"]),
        ("routes.yml", lambda d: d["routes"]["ciz"].update(skip_when_failed=["postbode"]),
         UnknownFactError, ["route 'ciz'", "postbode"]),
        ("lexicon.yml", lambda d: d["signals"].update(onzin={"terms": ["x"]}),
         UnknownFactError, ["lexicon.yml", "onzin"]),
    ],
    ids=["unknown-route", "unknown-fact", "unknown-value", "missing-source", "unknown-source",
         "unreachable", "conflict", "no-default", "bad-operator", "self-override", "unknown-party",
         "unknown-signal"],
)
def test_broken_knowledge_is_reported_by_file_item_and_problem(knowledge_copy, file, change, error, words):
    _edit(knowledge_copy, file, change)
    with pytest.raises(error) as caught:
        load_knowledge(knowledge_copy)
    for word in words:
        assert word in str(caught.value)


def test_unused_route_is_reported(knowledge_copy):
    def add_route(data):
        data["routes"]["nieuw_loket"] = dict(data["routes"]["akj"])
    _edit(knowledge_copy, "routes.yml", add_route)
    with pytest.raises(UnreachableRuleError, match="nieuw_loket"):
        load_knowledge(knowledge_copy)


def test_invalid_yaml_names_the_file(knowledge_copy):
    (knowledge_copy / "rules.yml").write_text("rules: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"rules\.yml"):
        load_knowledge(knowledge_copy)


def test_every_contact_field_is_rendered(kb):
    from bot.knowledge import CONTACT_KEYS
    from bot.render import CONTACT_LABELS, contact_lines

    assert {key for key, _ in CONTACT_LABELS} == set(CONTACT_KEYS)
    for route in kb.routes.values():
        assert len(contact_lines(route)) == len(route.contact), route.id
