"""Full conversations through Rasa's REST webhook against real servers started on loopback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.conftest import PROJECT_DIR
from tests.servers import VENV_BIN

pytestmark = [pytest.mark.model, pytest.mark.server]


def say(url: str, sender: str, message: str, status: int = 200) -> list[dict]:
    """Send one message; the reply must come with ``status`` (refusals carry Dutch bot messages too)."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            got, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        got, payload = error.code, error.read()
    assert got == status, payload
    return json.loads(payload)


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def decision_of(replies: list[dict]) -> dict:
    return next(r["custom"] for r in replies if "custom" in r)


def test_first_message_gets_the_privacy_notice_and_known_facts_are_not_asked(chat_url):
    replies = say(chat_url, "burger-1", "Mijn moeder heeft al een indicatie voor de Wlz maar er is nergens plek")
    text = texts(replies)
    assert "BSN" in replies[0]["text"]  # the privacy notice comes first
    assert "Wlz-indicatie?" not in text and "zorgkantoor" in text  # only the desk question is asked
    replies = say(chat_url, "burger-1", "Nee, nog niet")
    assert decision_of(replies)["next_step"] == "zorgkantoor"


def test_escalation_to_het_juiste_loket_and_the_vws_unit(chat_url):
    say(chat_url, "burger-2", "Het zorgkantoor zoekt al een jaar en vindt niks voor mijn broer")
    replies = say(chat_url, "burger-2", "Nee, nog niet")
    assert decision_of(replies)["handover"] == "juiste_loket" and "030 789 78 78" in texts(replies)
    replies = say(chat_url, "burger-2", "Dat heb ik al geprobeerd")
    assert decision_of(replies)["next_step"] == "vws_unit" and "zorgvragen@minvws.nl" in texts(replies)


def test_dont_know_still_gets_advice(chat_url):
    say(chat_url, "burger-3", "Ik heb hulp nodig bij het schoonmaken, ik kan het niet meer zelf")
    replies = []
    for _ in range(3):
        replies = say(chat_url, "burger-3", "Weet ik niet")
        if any("custom" in r for r in replies):
            break
    assert decision_of(replies)["next_step"] == "gemeente_wmo"


def test_crisis_in_the_middle_of_the_questions(chat_url):
    asked = texts(say(chat_url, "burger-4", "Onze zoon van 14 krijgt geen hulp, wie helpt ons?"))
    assert "om hulp gevraagd" in asked
    reply = texts(say(chat_url, "burger-4", "ik wil dood, ik zie geen uitweg meer"))
    assert "113" in reply and "0800-0113" in reply and "112" in reply
    assert "om hulp gevraagd" not in reply  # the questions stop; safety comes first


def test_contact_question_over_rest(chat_url):
    contact = texts(say(chat_url, "burger-5", "Hoe bereik ik de SKGZ?"))
    assert "088 900 6900" in contact and "info@skgz.nl" in contact


def test_two_stage_fallback_ends_with_het_juiste_loket(chat_url):
    """Low NLU confidence: "Bedoelt u ...?", then a rephrase, then Het Juiste Loket.

    The fallback intent is sent directly, so the test does not depend on what a model makes of gibberish.
    """
    first = say(chat_url, "burger-6", "/nlu_fallback")
    assert "Bedoelt u" in texts(first) and first[-1]["buttons"][-1]["payload"] == "/out_of_scope"
    assert "nog eens" in texts(say(chat_url, "burger-6", "/out_of_scope"))
    assert "Bedoelt u" in texts(say(chat_url, "burger-6", "/nlu_fallback"))
    assert "030 789 78 78" in texts(say(chat_url, "burger-6", "/out_of_scope"))


def test_out_of_scope_gets_what_the_assistant_can_do(chat_url):
    reply = texts(say(chat_url, "burger-7", "Wat is het weerbericht voor morgen?"))
    assert "zorg en ondersteuning" in reply


@pytest.mark.parametrize(("message", "words", "status"), [
    ("", "leeg", 200), ("x" * 5000, "te lang", 200), ("x" * 20000, "te lang", 413), ("🙈🙈🙈", "woorden", 200),
    ("Where can I find help for my elderly mother?", "Nederlands", 200),
], ids=["empty", "5000-chars", "20000-chars", "emoji", "english"])
def test_bad_input_over_rest_gets_dutch_and_the_chat_keeps_working(chat_url, message, words, status):
    # 5,000 characters pass the channel's body limit and are refused by the input check (3,000 characters);
    # 20,000 are refused by the channel itself (413), with a Dutch message all the same.
    sender = f"burger-bad-{len(message)}"
    assert words in texts(say(chat_url, sender, message, status))
    follow_up = texts(say(chat_url, sender, "Ik heb hulp nodig bij het schoonmaken van mijn huis"))
    assert "?" in follow_up  # the triage starts normally after the bad message


@pytest.mark.parametrize("message", ["<script>alert(1)</script>", "'; DELETE FROM events; --",
                                     "{{7*7}} ${jndi:x}"], ids=["html", "sql", "template"])
def test_hostile_text_does_not_break_the_chat(chat_url, message):
    replies = say(chat_url, "burger-hostile", message)
    assert replies and "<script>" not in texts(replies)


def staff_cli(ticket_env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(VENV_BIN / "python"), "-m", "bot", "tickets", *args], cwd=PROJECT_DIR,
                          env={**os.environ, **ticket_env}, capture_output=True, text=True, timeout=120)


def reach_het_juiste_loket(url: str, sender: str) -> list[dict]:
    say(url, sender, "Het zorgkantoor zoekt al een jaar en vindt niks voor mijn broer van 40, bel me op 0612345678")
    replies = say(url, sender, "Nee, nog niet")
    assert decision_of(replies)["handover"] == "juiste_loket"
    return replies


def test_handover_with_consent_ends_in_a_ticket_the_desk_can_see(chat_url, ticket_env):
    card = reach_het_juiste_loket(chat_url, "burger-10")
    assert card[-1]["buttons"][-1]["title"] == "Stuur mijn vraag door naar Het Juiste Loket"
    offer = texts(say(chat_url, "burger-10", card[-1]["buttons"][-1]["payload"]))
    assert "3 werkdagen" in offer and "Mag ik uw vraag doorsturen?" in offer
    assert "contact met u opneemt" in texts(say(chat_url, "burger-10", "Ja, stuur maar door"))
    assert "telefoonnummer" in texts(say(chat_url, "burger-10", "Telefoon"))
    again = texts(say(chat_url, "burger-10", "0612"))
    assert "10 cijfers" in again and "Bijvoorbeeld: 06 12345678" in again  # asked again, with an example
    assert "noemen" in texts(say(chat_url, "burger-10", "06-87654321"))
    assert "uit" in texts(say(chat_url, "burger-10", "Liever geen naam"))
    assert "gesprek lezen" in texts(say(chat_url, "burger-10", "na 18 uur"))
    done = say(chat_url, "burger-10", "Ja, dat mag")
    reference = re.search(r"ZR-[0-9A-Z]{7}", texts(done)).group()
    assert "doorgestuurd naar Het Juiste Loket" in texts(done)
    listed = staff_cli(ticket_env, "list", "--target", "juiste_loket")
    assert listed.returncode == 0 and reference in listed.stdout
    shown = staff_cli(ticket_env, "show", reference).stdout
    assert "telefoon: 06 87654321" in shown and "wanneer: na 18 uur" in shown
    assert "burger: Het zorgkantoor zoekt al een jaar" in shown  # the transcript, with consent
    assert "0612345678" not in shown and "[TELEFOON]" in shown  # a number in free text is redacted
    # The same handover again (same conversation and decision) gives the same ticket.
    say(chat_url, "burger-10", "/request_human")
    say(chat_url, "burger-10", "ja")
    say(chat_url, "burger-10", "burger@example.nl")
    say(chat_url, "burger-10", "Liever geen naam")
    say(chat_url, "burger-10", "Maakt niet uit")
    repeated = texts(say(chat_url, "burger-10", "Nee, liever niet"))
    assert "was al doorgestuurd" in repeated and reference in repeated
    assert staff_cli(ticket_env, "list").stdout.count("ZR-") == len(re.findall("ZR-", listed.stdout))


def test_no_personal_data_in_the_server_logs(chat_url, server_logs):
    say(chat_url, "burger-13", "Ik wil met een mens praten, mijn nummer is 06-55512345 en bsn 111222333")
    logs = "".join(path.read_text(errors="replace") for path in server_logs.glob("*.log"))
    assert logs.strip()  # the servers did write logs
    for personal in ("87654321", "55512345", "111222333", "burger@example.nl"):
        assert personal not in logs


def test_handover_without_a_clear_yes_sends_nothing(chat_url, ticket_env):
    before = staff_cli(ticket_env, "list").stdout.count("ZR-")
    reach_het_juiste_loket(chat_url, "burger-11")
    say(chat_url, "burger-11", "Ik wil met een mens praten")
    reply = texts(say(chat_url, "burger-11", "misschien, eerst even nadenken"))
    assert "Ik stuur niets door" in reply and "030 789 78 78" in reply and "meldpunt@juisteloket.nl" in reply
    assert staff_cli(ticket_env, "list").stdout.count("ZR-") == before


def test_crisis_during_the_handover_comes_first(chat_url):
    reach_het_juiste_loket(chat_url, "burger-12")
    say(chat_url, "burger-12", "/request_human")
    say(chat_url, "burger-12", "ja")
    reply = texts(say(chat_url, "burger-12", "ik heb net al mijn pillen ingenomen"))
    assert "113" in reply and "112" in reply and "telefoonnummer" not in reply
