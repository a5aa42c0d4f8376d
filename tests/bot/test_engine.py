"""Table-driven rule tests: every route id is reached, every escalation step moves up one rung."""

from __future__ import annotations

from typing import Any

import pytest

from bot.engine import route
from bot.facts import Facts

# (category, intent, facts, expected rule, expected ladder start)
CASES: list[tuple[str, str, dict[str, Any], str, str | None]] = [
    ("crisis", "crisis", {}, "crisis.direct_gevaar", "noodhulp"),
    ("crisis", "crisis", {"failed": ["juiste_loket"], "sent_around": True}, "crisis.direct_gevaar", "noodhulp"),
    ("wlz", "wlz", {}, "wlz.standaard", "ciz"),
    ("wlz", "wlz", {"wlz_indication": True}, "wlz.indicatie_aanwezig", "zorgkantoor"),
    ("wlz", "wlz", {"wlz_indication": True, "problem_behaviour": True}, "wlz.probleemgedrag", "zorgkantoor"),
    ("wlz", "wlz", {"failed": ["ciz"], "contacted": ["ciz"]}, "wlz.indicatie_afgewezen", "bezwaar_ciz"),
    ("wlz", "wlz", {"failed": ["zorgkantoor"], "wlz_indication": True}, "wlz.zorgkantoor_zonder_resultaat",
     "juiste_loket"),
    ("zvw", "zvw", {}, "zvw.standaard", "zorgverzekeraar_zorgbemiddeling"),
    ("zvw", "zvw", {"waiting": True}, "zvw.wachttijd", "zorgverzekeraar_zorgbemiddeling"),
    ("zvw", "zvw", {"home_nursing": True}, "zvw.wijkverpleging", "huisarts"),
    ("zvw", "zvw", {"home_nursing": True, "age": 4}, "zvw.kindzorg", "zorgverzekeraar_zorgbemiddeling"),
    ("zvw", "zvw", {"home_nursing": True, "failed": ["zorgaanbieder"]}, "zvw.wijkverpleging_geen_plek",
     "zorgverzekeraar_zorgbemiddeling"),
    ("zvw", "zvw", {"ggz": True, "failed": ["zorgverzekeraar"]}, "zvw.hoogcomplexe_ggz_na_zorgbemiddeling",
     "regiotafel_hoogcomplexe_ggz"),
    ("zvw", "zvw", {"failed": ["zorgverzekeraar"]}, "zvw.zorgbemiddeling_zonder_resultaat", "juiste_loket"),
    ("wmo", "wmo", {}, "wmo.standaard", "gemeente_wmo"),
    ("wmo", "wmo", {"wants_support": True}, "wmo.ondersteuning_gewenst", "clientondersteuning_gemeente"),
    ("wmo", "wmo", {"rejected": True}, "wmo.besluit_afgewezen", "bezwaar_gemeente"),
    ("wmo", "wmo", {"rejected": True, "objection_filed": True}, "wmo.bezwaar_afgewezen",
     "clientondersteuning_gemeente"),
    ("wmo", "wmo", {"failed": ["wijkteam"]}, "wmo.gemeente_zonder_resultaat", "clientondersteuning_gemeente"),
    ("jeugdwet", "jeugdwet", {"age": 10}, "jeugdwet.standaard", "gemeente_jeugd"),
    ("jeugdwet", "jeugdwet", {"failed": ["jeugdteam"]}, "jeugdwet.gemeente_zonder_resultaat",
     "regionaal_expertteam_jeugd"),
    ("jeugdwet", "jeugdwet", {"failed": ["gemeente"], "rejected": True}, "jeugdwet.besluit_afgewezen",
     "bezwaar_gemeente"),
    ("jeugdwet", "jeugdwet", {"failed": ["jeugdteam", "expertteam"]}, "jeugdwet.expertteam_zonder_resultaat",
     "juiste_loket"),
    ("klacht", "klacht", {}, "klacht.standaard", "klachtenfunctionaris"),
    ("klacht", "klacht", {"complaint_filed": True, "weeks": 10}, "klacht.termijn_verstreken", "geschilleninstantie"),
    ("klacht", "klacht", {"complaint_filed": True, "weeks": 3}, "klacht.klacht_loopt_nog", "klachtenfunctionaris"),
    ("klacht", "klacht", {"complaint_filed": True, "no_result": True}, "klacht.klacht_zonder_resultaat",
     "geschilleninstantie"),
    ("klacht", "klacht", {"failed": ["klachtenfunctionaris"]}, "klacht.klachtenfunctionaris_zonder_resultaat",
     "geschilleninstantie"),
    ("klacht", "klacht", {"complaint_target": "zorgverzekeraar"}, "klacht.zorgverzekeraar", "klacht_zorgverzekeraar"),
    ("klacht", "klacht", {"complaint_target": "zorgverzekeraar", "objection_filed": True},
     "klacht.zorgverzekeraar_na_bezwaar", "skgz"),
    ("klacht", "klacht", {"complaint_target": "zorgverzekeraar", "complaint_filed": True},
     "klacht.zorgverzekeraar_na_klacht", "skgz"),
    ("klacht", "klacht", {"complaint_target": "zorgkantoor"}, "klacht.zorgkantoor", "klacht_zorgkantoor"),
    ("klacht", "klacht", {"complaint_target": "ciz"}, "klacht.ciz", "bezwaar_ciz"),
    ("klacht", "klacht", {"complaint_target": "gemeente"}, "klacht.gemeente", "klacht_gemeente"),
    ("klacht", "klacht", {"complaint_target": "gemeente", "rejected": True}, "klacht.gemeente_besluit",
     "bezwaar_gemeente"),
    ("klacht", "klacht", {"complaint_target": "jeugdhulp"}, "klacht.jeugdhulp", "akj"),
    ("klacht", "klacht", {"age": 16}, "klacht.minderjarige", "akj"),
    ("klacht", "klacht", {"ggz": True, "family_left_out": True}, "klacht.naasten_ggz_buitengesloten",
     "familievertrouwenspersoon"),
    ("klacht", "klacht", {"ggz": True, "who": "partner"}, "klacht.naasten_ggz", "familievertrouwenspersoon"),
    ("klacht", "klacht", {"safety": True}, "klacht.veiligheid", "lmz"),
    ("klacht", "klacht", {"billing": True}, "klacht.rekening", "nza_meldpunt"),
    ("klacht", "klacht", {"waiting": True}, "klacht.wachttijden", "nza_meldpunt"),
    ("klacht", "klacht", {"structural": True}, "klacht.structureel", "nza_meldpunt"),
    ("overig", "vastgelopen", {}, "overig.vastgelopen", "juiste_loket"),
    ("overig", "vastgelopen", {"failed": ["juiste_loket"]}, "algemeen.juiste_loket_zonder_resultaat", "vws_unit"),
    ("wmo", "wmo", {"sent_around": True}, "algemeen.van_kastje_naar_de_muur", "juiste_loket"),
    ("overig", "out_of_scope", {}, "overig.geen_hulpvraag", None),
    ("overig", "greet", {"sent_around": False}, "overig.geen_hulpvraag", None),
]


def _facts(**values: Any) -> dict[str, Any]:
    facts = Facts()
    for name, value in values.items():
        setattr(facts, name, value)
    return facts.__dict__


@pytest.mark.parametrize(("category", "intent", "facts", "rule", "first"), CASES,
                         ids=[f"{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_rule_table(kb, category, intent, facts, rule, first):
    result = route(kb, category, {**_facts(**facts), "intent": intent})
    assert result.rule.id == rule
    assert (result.ladder[0] if result.ladder else None) == first


def test_table_reaches_every_route_id(kb):
    reached = set()
    for category, intent, facts, _, _ in CASES:
        reached.update(route(kb, category, {**_facts(**facts), "intent": intent}).ladder)
    assert reached == set(kb.routes)


def test_table_fires_every_rule(kb):
    assert {case[3] for case in CASES} == {rule.id for rule in kb.rules}


# The escalation ladder per care category: each desk the person says failed moves one rung up,
# ending at Het Juiste Loket and then the VWS unit, which is never skipped.
LADDERS = [
    ("wlz", {"wlz_indication": True}, [("zorgkantoor", "juiste_loket"), ("juiste_loket", "vws_unit"),
                                       ("vws", "vws_unit")]),
    ("zvw", {}, [("zorgverzekeraar", "juiste_loket"), ("juiste_loket", "vws_unit")]),
    ("wmo", {}, [("gemeente", "clientondersteuning_gemeente"), ("juiste_loket", "vws_unit")]),
    ("jeugdwet", {}, [("jeugdteam", "regionaal_expertteam_jeugd"), ("expertteam", "juiste_loket"),
                      ("juiste_loket", "vws_unit")]),
    ("overig", {}, [("juiste_loket", "vws_unit"), ("vws", "vws_unit")]),
]


@pytest.mark.parametrize(("category", "base", "steps"), LADDERS, ids=[ladder[0] for ladder in LADDERS])
def test_escalation_moves_up_one_rung_per_failed_desk(kb, category, base, steps):
    failed: list[str] = []
    intent = "vastgelopen" if category == "overig" else category
    for desk, expected in steps:
        failed.append(desk)
        result = route(kb, category, {**_facts(**base, failed=list(failed)), "intent": intent})
        assert result.ladder[0] == expected, (failed, result.rule.id)
        assert desk not in ("zorgkantoor", "zorgverzekeraar") or desk not in result.ladder


def test_a_failed_desk_is_never_offered_again(kb):
    facts = _facts(failed=["zorgverzekeraar"], waiting=True)
    result = route(kb, "zvw", {**facts, "intent": "zvw"})
    assert "zorgverzekeraar_zorgbemiddeling" not in result.ladder


def test_last_rung_is_kept_even_when_it_failed(kb):
    result = route(kb, "overig", {**_facts(failed=["juiste_loket"]), "intent": "vastgelopen"})
    assert result.ladder == ("vws_unit",)


@pytest.mark.parametrize(
    ("category", "facts", "expected"),
    [("wmo", {"age": 12}, "jeugdwet"), ("zvw", {"age": 15, "ggz": True}, "jeugdwet"),
     ("jeugdwet", {"age": 19}, "wmo"), ("zvw", {"age": 15}, "zvw"), ("wmo", {"age": 40}, "wmo"),
     ("jeugdwet", {"age": 5, "needs_24h_care": True}, "wlz"), ("wmo", {"needs_24h_care": True}, "wlz"),
     ("wlz", {"age": 9}, "jeugdwet"), ("wlz", {"age": 9, "needs_24h_care": True}, "wlz"),
     ("wlz", {"age": 9, "wlz_indication": True}, "wlz"), ("wlz", {"age": 70}, "wlz")],
)
def test_category_overrides_follow_age(kb, category, facts, expected):
    assert route(kb, category, {**_facts(**facts), "intent": category}).category == expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [({"contacted": ["zorgkantoor"]}, "wlz"), ({"wlz_indication": True}, "wlz"), ({"age": 9}, "jeugdwet"),
     ({"contacted": ["expertteam"]}, "jeugdwet"), ({"contacted": ["gemeente"]}, "overig"), ({}, "overig")],
)
def test_stuck_person_naming_the_responsible_party_gets_that_law(kb, facts, expected):
    assert route(kb, "overig", {**_facts(**facts), "intent": "vastgelopen"}).category == expected


@pytest.mark.parametrize("category", ["wlz", "zvw", "wmo", "jeugdwet", "klacht"])
def test_already_tried_climbs_the_whole_ladder_one_rung_at_a_time(kb, category):
    """"Dat heb ik al geprobeerd" on every answer moves one rung up until the last rung."""
    tried: list[str] = []
    seen = []
    while True:
        result = route(kb, category, {**_facts(tried_routes=list(tried)), "intent": category})
        seen.append(result.ladder[0])
        if len(result.ladder) == 1:
            break
        tried.append(result.ladder[0])
    assert len(seen) == len(set(seen)) >= 2
    if category != "klacht":
        assert seen[-2:] == ["juiste_loket", "vws_unit"]
