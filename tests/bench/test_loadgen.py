"""The pure parts of the benchmark load client: percentiles, scripts, closed-loop steps, throughput search."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from bench import loadgen
from bench.loadgen import Plan, StepResult, Turn

BUTTONS = [{"text": "Heeft u het CIZ al om hulp gevraagd?",
            "buttons": [{"title": "Ja", "payload": "Ja, dat loopt nog"}, {"title": "Nee", "payload": "Nee, nog niet"},
                        {"title": "Mens", "payload": "/request_human"}]}]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fake_server(clock: FakeClock, seconds_per_turn: float, status: int = 200,
                reply: list[dict[str, Any]] | None = None) -> tuple[loadgen.Send, list[tuple[str, str]]]:
    """A send function that takes ``seconds_per_turn`` of fake time and logs what it received."""
    received: list[tuple[str, str]] = []

    async def send(sender: str, text: str) -> tuple[int, Any]:
        received.append((sender, text))
        clock.now += seconds_per_turn
        await asyncio.sleep(0)
        return status, BUTTONS if reply is None else reply

    return send, received


def test_percentile_interpolates_between_ranks_like_numpy():
    values = list(range(100, 0, -1))  # 1..100, unsorted
    assert loadgen.percentile(values, 50) == pytest.approx(50.5)
    assert loadgen.percentile(values, 95) == pytest.approx(95.05)
    assert loadgen.percentile(values, 99) == pytest.approx(99.01)
    assert loadgen.percentile([7.0], 99) == 7.0
    assert loadgen.percentile([], 50) is None
    assert loadgen.latency_summary([10.0, 20.0]) == {"p50_ms": 15.0, "p95_ms": 19.5, "p99_ms": 19.9}


def test_scripts_are_reproducible_use_every_opening_and_last_four_to_six_turns():
    texts = [f"vraag {n}" for n in range(7)]
    plans = loadgen.build_plans(texts, 30, seed=3)
    assert plans == loadgen.build_plans(texts, 30, seed=3)
    assert plans != loadgen.build_plans(texts, 30, seed=4)
    assert {p.opening for p in plans[:7]} == set(texts)
    assert all(loadgen.MIN_TURNS <= p.turns <= loadgen.MAX_TURNS for p in plans)
    assert len({p.conversation for p in plans}) == 30


def test_the_citizen_presses_offered_buttons_but_never_starts_a_handover():
    rng = random.Random(1)  # noqa: S311 - reproducible choices
    chosen = {loadgen.next_message(BUTTONS, rng) for _ in range(50)}
    assert chosen == {"Ja, dat loopt nog", "Nee, nog niet"}
    only_handover = [{"text": "?", "buttons": [{"title": "Mens", "payload": "/request_human"}]}]
    assert loadgen.next_message(only_handover, rng) in loadgen.TYPED_ANSWERS
    assert loadgen.next_message([{"text": "Vertel meer."}], rng) in loadgen.TYPED_ANSWERS
    assert loadgen.next_message(None, rng) in loadgen.TYPED_ANSWERS


def test_a_turn_is_an_error_unless_it_is_200_with_messages():
    assert loadgen.turn_error(200, [{"text": "hoi"}]) == ""
    assert loadgen.turn_error(200, []) == "empty reply"
    assert loadgen.turn_error(200, None) == "empty reply"
    assert loadgen.turn_error(503, [{"text": "sorry"}]) == "HTTP 503"
    # The channel answers 200 with its apology when a turn produced no answer (no model, actions down).
    assert loadgen.turn_error(200, [{"recipient_id": "s", "text": loadgen.apology_text()}]) == "apology"


async def test_one_worker_plays_scripts_back_to_back_until_the_time_is_up():
    clock = FakeClock()
    send, received = fake_server(clock, 0.125)  # exact in binary: no rounding at the deadline
    plans = [Plan(n, f"opening {n}", 4, n) for n in range(100)]
    result = await loadgen.run_closed_loop(send, plans, 1, 1.0, "bench-t", clock=clock)
    assert len(result.turns) == 8  # 1 s of 125 ms turns, no turn starts after the deadline
    assert [t.turn for t in result.turns] == [1, 2, 3, 4, 1, 2, 3, 4]
    assert all(t.ms == pytest.approx(125) and not t.error for t in result.turns)
    assert result.duration_s == pytest.approx(1.0)
    assert result.msgs_per_second == pytest.approx(8)
    assert [text for _, text in received[:1] + received[4:5]] == ["opening 0", "opening 1"]
    assert all(text in ("Ja, dat loopt nog", "Nee, nog niet") for _, text in received[1:4])
    assert [sender for sender, _ in received[3:5]] == ["bench-t-0", "bench-t-1"]


async def test_many_workers_each_have_their_own_sender_and_stay_bounded():
    clock = FakeClock()
    send, received = fake_server(clock, 0.0625)
    plans = loadgen.build_plans(["a", "b", "c"], 1000, seed=9)
    result = await loadgen.run_closed_loop(send, plans, 4, 2.0, "bench-m", clock=clock)
    assert 32 <= len(result.turns) <= 32 + 4  # the fake clock moves on every send; in-flight turns finish
    by_sender: dict[str, set[int]] = {}
    for sender, _ in received:
        by_sender.setdefault(sender, set()).add(int(sender.rsplit("-", 1)[1]))
    assert all(len(conversations) == 1 for conversations in by_sender.values())


async def test_a_failed_turn_ends_its_conversation_and_counts_as_an_error():
    clock = FakeClock()
    send, _ = fake_server(clock, 0.1, status=503)
    plans = [Plan(n, "x", 5, n) for n in range(3)]
    result = await loadgen.run_closed_loop(send, plans, 1, 10.0, "bench-e", clock=clock)
    assert len(result.turns) == 3 and result.errors == 3  # one turn per script, then the scripts ran out
    assert result.ok_ms == [] and result.p95_ms is None and not result.passes()
    assert result.msgs_per_second == 0


def modelled_step(level: int, capacity: float = 10.0, service_s: float = 0.1, errors: int = 0,
                  seconds: float = 20.0) -> StepResult:
    """A closed-loop step against a server that does ``capacity`` turns/s, each at least ``service_s``."""
    latency = max(service_s, level / capacity)
    count = int(seconds * level / latency)
    turns = [Turn(level, n, 1, 200, latency * 1000) for n in range(count)]
    turns += [Turn(level, count + n, 1, 503, 5.0, "HTTP 503") for n in range(errors)]
    return StepResult(level, turns, seconds)


async def test_throughput_is_taken_at_the_highest_step_before_p95_reaches_one_second():
    measured: list[int] = []

    async def measure(level: int) -> StepResult:
        measured.append(level)
        return modelled_step(level)

    throughput, steps = await loadgen.search_throughput(measure, (1, 2, 4, 8, 16, 32), required=(1, 4, 16))
    # p95 per level: 100, 200, 400, 800 ms, then 1600 ms at 16: fails, 32 is not tried.
    assert measured == [1, 2, 4, 8, 16]
    assert throughput == pytest.approx(10.0)
    assert [s.passes() for s in steps] == [True, True, True, True, False]


async def test_required_levels_are_still_measured_after_a_failure_but_do_not_count():
    async def measure(level: int) -> StepResult:
        return modelled_step(level, capacity=3.0) if level < 16 else modelled_step(level, capacity=1000.0)

    throughput, steps = await loadgen.search_throughput(measure, (1, 2, 4, 8, 16, 32), required=(16,))
    assert [s.concurrency for s in steps] == [1, 2, 4, 16]  # 4 fails (1333 ms); 8 and 32 are skipped
    assert throughput == pytest.approx(3.0)  # from step 2, not from the fast (noisy) step 16


async def test_errors_fail_a_step_and_a_failing_first_step_means_zero():
    async def measure(level: int) -> StepResult:
        return modelled_step(level, errors=50)

    throughput, steps = await loadgen.search_throughput(measure, (1, 2, 4))
    assert throughput == 0.0 and len(steps) == 1
    assert steps[0].step_summary()["errors"] == 50
