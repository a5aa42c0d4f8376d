"""The staff CLI: JSON contract, batch mode, plain text, and bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from bot.cli import main
from tests.conftest import PROJECT_DIR

CONTRACT_KEYS = {"category", "confidence", "intent", "facts", "next_step", "route", "handover", "rule"}


def run_cli(args, parser):
    out = io.StringIO()
    code = main(args, parser_factory=lambda: parser, out=out)
    return code, out.getvalue()


@pytest.mark.model
def test_json_output_is_the_contract(parser):
    code, output = run_cli(["triage", "--json", "Wie helpt mij aan een traplift? Ik kom de trap niet meer op."],
                           parser)
    result = json.loads(output)
    assert code == 0
    assert set(result) == CONTRACT_KEYS
    assert result["next_step"] == result["route"][0]["id"] == "gemeente_wmo"
    assert set(result["route"][0]) == {"id", "name", "why", "contact", "source"}


@pytest.mark.model
def test_batch_writes_one_result_per_line(parser, tmp_path):
    batch = tmp_path / "in.jsonl"
    lines = [{"text": "Ons kind van 6 krijgt geen hulp van het jeugdteam"}, {"text": ""},
             {"text": "Hoe laat begint de voetbalwedstrijd vanavond?"}]
    batch.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    code, output = run_cli(["triage", "--json", "--batch", str(batch)], parser)
    results = [json.loads(line) for line in output.splitlines()]
    assert code == 0 and len(results) == 3
    assert results[0]["category"] == "jeugdwet"
    assert results[1]["error"]["code"] == "empty" and results[1]["next_step"] is None
    assert results[2]["next_step"] is None


@pytest.mark.model
@pytest.mark.parametrize(("text", "dutch"), [
    ("", "leeg"), ("     ", "leeg"), ("x" * 20000, "te lang"), ("🙂🙂🙂", "geen woorden"),
    ("Please tell me where I can get help for my father", "alleen Nederlands"),
], ids=["empty", "spaces", "20000-chars", "emoji", "english"])
def test_bad_input_gets_a_dutch_message(parser, text, dutch):
    code, output = run_cli(["triage", text], parser)
    assert code == 0
    assert dutch in output


@pytest.mark.model
@pytest.mark.parametrize("text", ["<script>alert('x')</script>", "'; DROP TABLE tickets; --",
                                  "hulp\x00\x07 thuis\x1b[31m"], ids=["html", "sql", "control-chars"])
def test_hostile_text_is_answered_without_echoing_markup(parser, text):
    code, output = run_cli(["triage", text], parser)
    assert code == 0 and output.strip()
    assert "<script>" not in output


@pytest.mark.model
def test_crisis_in_an_overlong_message_still_gets_crisis_help(parser):
    code, output = run_cli(["triage", "ik wil niet meer leven " + "bla " * 3000], parser)
    assert code == 0 and "113" in output


@pytest.mark.model
def test_staff_view_shows_rule_and_sources(parser):
    code, output = run_cli(["triage", "--staff", "Mijn klacht bij de tandarts loopt al 9 weken zonder antwoord"],
                           parser)
    assert code == 0
    assert "klacht.termijn_verstreken" in output and "Bijlage 1 klachten e" in output


def _cli_process(*args):
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=PROJECT_DIR, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.parametrize(("content", "line"), [
    ('{"text": "goed"}\n{kapot\n', "regel 2"),
    ('{"text": "goed"}\n{"tekst": "verkeerde sleutel"}\n', "regel 2"),
    ('["geen object"]\n', "regel 1"),
])
def test_malformed_batch_file_names_the_line_and_exits_nonzero(tmp_path, content, line):
    batch = tmp_path / "batch.jsonl"
    batch.write_text(content, encoding="utf-8")
    result = _cli_process("triage", "--batch", str(batch))
    assert result.returncode == 2
    assert line in result.stderr and "Traceback" not in result.stderr


def test_binary_batch_file_is_rejected_cleanly(tmp_path):
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(b'{"text": "ok"}\n\xff\xfe\x00\x01')
    result = _cli_process("triage", "--batch", str(batch))
    assert result.returncode == 2 and "regel 2" in result.stderr and "Traceback" not in result.stderr


def test_missing_batch_file(tmp_path):
    result = _cli_process("triage", "--batch", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 2 and "nope.jsonl" in result.stderr


def test_knowledge_check_command():
    result = _cli_process("knowledge")
    assert result.returncode == 0 and "Kennisbank in orde" in result.stdout
