"""A small asyncio load client for the REST chat: multi-turn scripts, closed-loop steps, percentiles.

A script (:class:`Plan`) opens with a held-out citizen message and then follows the conversation as
a citizen would, for 4–6 turns: it presses one of the buttons the bot offered (chosen with the
script's own seeded RNG), or, when no buttons were offered, types one of :data:`TYPED_ANSWERS`.
Buttons that start a handover to a person (:data:`HANDOVER_PAYLOADS`) are never pressed, so the
benchmark does not file tickets by itself; a typed opening the model reads as a request for a person
still takes the handover path, as it would for a citizen.

A closed-loop step runs N workers; each runs one conversation after another (each its own sender),
without think time, until the step's time is up (no new turn starts after it) or the scripts run out.
A turn is an error when the HTTP status is not 200, the reply is not a non-empty JSON list, the reply
is the channel's apology (what it sends, with 200, when a turn produced no answer), or the request
failed (status 0). Percentiles interpolate linearly between the closest ranks (numpy's default).
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.evaluation import load_examples

HANDOVER_PAYLOADS = frozenset({"/request_human"})
TYPED_ANSWERS = ("weet ik niet", "nee", "ja", "Dat heb ik al geprobeerd")
MIN_TURNS, MAX_TURNS = 4, 6
REQUEST_TIMEOUT_SECONDS = 30.0
P95_LIMIT_MS = 1000.0
MAX_ERROR_RATE = 0.01
# Concurrent conversations (or clients) of the throughput search's closed-loop steps.
LEVELS = (1, 2, 4, 8, 16, 32)
TURN_COLUMNS = ("concurrency", "conversation", "turn", "status", "ms", "error")

# (sender id, text) -> (HTTP status, decoded JSON body)
Send = Callable[[str, str], Awaitable[tuple[int, Any]]]
Clock = Callable[[], float]


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0–100) with linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def latency_summary(ms: Sequence[float]) -> dict[str, float | None]:
    """p50/p95/p99 in milliseconds."""
    return {f"p{q}_ms": _round(percentile(ms, q)) for q in (50, 95, 99)}


def load_texts(path: Path) -> list[str]:
    """The ``text`` of every line of a JSONL file (the held-out citizen messages)."""
    texts = [str(example["text"]) for example in load_examples(path)]
    if not texts:
        raise ValueError(f"{path} holds no messages")
    return texts


@dataclass(frozen=True)
class Plan:
    """One scripted conversation: its opening, how many turns, the seed of its choices."""

    conversation: int
    opening: str
    turns: int
    seed: int


def build_plans(texts: Sequence[str], count: int, seed: int = 20240601) -> list[Plan]:
    """``count`` scripts; openings go through the texts in a seeded order, then again."""
    rng = random.Random(seed)  # noqa: S311 - reproducible scripts, not secrets
    order = list(texts)
    rng.shuffle(order)
    return [Plan(number, order[number % len(order)], rng.randint(MIN_TURNS, MAX_TURNS), rng.randrange(2**31))
            for number in range(count)]


def offered_payloads(replies: Any) -> list[str]:
    """Button payloads in the bot's replies, without those that start a handover."""
    payloads: list[str] = []
    for message in replies if isinstance(replies, list) else []:
        for button in (message.get("buttons") or []) if isinstance(message, dict) else []:
            payload = button.get("payload") if isinstance(button, dict) else None
            if isinstance(payload, str) and payload and payload not in HANDOVER_PAYLOADS:
                payloads.append(payload)
    return payloads


def next_message(replies: Any, rng: random.Random) -> str:
    """What the citizen sends next: an offered button, else a short typed answer."""
    payloads = offered_payloads(replies)
    return rng.choice(payloads) if payloads else rng.choice(TYPED_ANSWERS)


@functools.cache
def apology_text() -> str:
    """The chat channel's apology when part of Zorgroute is down or a turn produced no answer."""
    from bot.chat.texts import unavailable_text
    from bot.knowledge import default_knowledge

    return unavailable_text(default_knowledge())


def turn_error(status: int, body: Any) -> str:
    """Empty for a good turn, else a short reason."""
    if status != 200:
        return f"HTTP {status}"
    if not isinstance(body, list) or not body:
        return "empty reply"
    if any(isinstance(message, dict) and message.get("text") == apology_text() for message in body):
        return "apology"
    return ""


@dataclass(frozen=True)
class Turn:
    """One measured request/reply."""

    step: int
    conversation: int
    turn: int
    status: int
    ms: float
    error: str = ""


@dataclass
class StepResult:
    """The turns of one closed-loop step and how long it took."""

    concurrency: int
    turns: list[Turn] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def ok_ms(self) -> list[float]:
        """Latencies of the good turns."""
        return [t.ms for t in self.turns if not t.error]

    @property
    def errors(self) -> int:
        """Turns that failed."""
        return sum(1 for t in self.turns if t.error)

    @property
    def msgs_per_second(self) -> float:
        """Completed (good) turns per second."""
        return len(self.ok_ms) / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def p95_ms(self) -> float | None:
        """p95 of the good turns."""
        return percentile(self.ok_ms, 95)

    def passes(self, limit_ms: float = P95_LIMIT_MS, max_error_rate: float = MAX_ERROR_RATE) -> bool:
        """p95 under ``limit_ms`` and at most ``max_error_rate`` of the turns failed."""
        p95 = self.p95_ms
        return p95 is not None and p95 < limit_ms and self.errors <= max_error_rate * len(self.turns)

    def summary(self) -> dict[str, Any]:
        """Latency percentiles, counts and duration (the ``turns`` entry of the results)."""
        return {**latency_summary(self.ok_ms), "turns": len(self.turns), "errors": self.errors,
                "duration_s": round(self.duration_s, 2)}

    def turn_rows(self) -> Iterator[list[Any]]:
        """One CSV row per turn, in the order of :data:`TURN_COLUMNS`."""
        for turn in self.turns:
            yield [self.concurrency, turn.conversation, turn.turn, turn.status, turn.ms, turn.error]

    def step_summary(self) -> dict[str, Any]:
        """One throughput step."""
        return {"concurrency": self.concurrency, "msgs_per_second": round(self.msgs_per_second, 2),
                "p95_ms": _round(self.p95_ms), "errors": self.errors, "turns": len(self.turns)}


def rest_send(session: aiohttp.ClientSession, url: str) -> Send:
    """A :data:`Send` that posts to Rasa's REST webhook at ``url``."""

    async def send(sender: str, text: str) -> tuple[int, Any]:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            body = await response.read()
            try:
                return response.status, json.loads(body) if body else None
            except ValueError:
                return response.status, None

    return send


async def run_conversation(send: Send, plan: Plan, sender: str, step: int, deadline: float, clock: Clock,
                           record: Callable[[Turn], None]) -> None:
    """Play one script; stop after its last turn, at the first failed turn, or at ``deadline``."""
    rng = random.Random(plan.seed)  # noqa: S311 - reproducible choices, not secrets
    text = plan.opening
    for number in range(1, plan.turns + 1):
        if clock() >= deadline:
            return
        started = clock()
        try:
            status, body = await asyncio.wait_for(send(sender, text), REQUEST_TIMEOUT_SECONDS)
            error = turn_error(status, body)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as failure:
            status, body, error = 0, None, type(failure).__name__
        record(Turn(step, plan.conversation, number, status, round((clock() - started) * 1000, 2), error))
        if error:
            return
        text = next_message(body, rng)


async def run_closed_loop(send: Send, plans: Iterable[Plan], concurrency: int, seconds: float, sender_prefix: str,
                          clock: Clock = time.monotonic) -> StepResult:
    """``concurrency`` workers play scripts back to back for ``seconds`` (bounded by the scripts too)."""
    result = StepResult(concurrency)
    scripts: Iterator[Plan] = iter(plans)
    started = clock()
    deadline = started + seconds

    async def worker() -> None:
        while clock() < deadline:
            plan = next(scripts, None)
            if plan is None:
                return
            await run_conversation(send, plan, f"{sender_prefix}-{plan.conversation}", concurrency, deadline, clock,
                                   result.turns.append)

    tasks = [asyncio.ensure_future(worker()) for _ in range(concurrency)]
    # Hard bound: the last turns started before the deadline may run for at most the request timeout.
    _, pending = await asyncio.wait(tasks, timeout=seconds + REQUEST_TIMEOUT_SECONDS + 5)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    result.duration_s = clock() - started
    return result


async def search_throughput(measure: Callable[[int], Awaitable[StepResult]], levels: Sequence[int],
                            required: Iterable[int] = (), limit_ms: float = P95_LIMIT_MS,
                            max_error_rate: float = MAX_ERROR_RATE) -> tuple[float, list[StepResult]]:
    """Step up the concurrency; throughput is the messages/s of the highest step before the first failing one.

    A step fails when its p95 reaches ``limit_ms`` or more than ``max_error_rate`` of its turns failed.
    After the first failing step only the ``required`` levels are still measured (for their latency);
    they no longer count for the throughput.

    Returns:
        The throughput (0.0 when even the first step failed) and every step measured, in order.
    """
    must = set(required)
    throughput, failed, results = 0.0, False, []
    for level in levels:
        if failed and level not in must:
            continue
        result = await measure(level)
        results.append(result)
        if failed:
            continue
        if result.passes(limit_ms, max_error_rate):
            throughput = result.msgs_per_second
        else:
            failed = True
    return throughput, results
