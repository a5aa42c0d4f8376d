"""Latency, throughput, start-up and peak memory of one model through the REST webhook.

The embedded shape (:class:`bench.stack.LocalStack`): the action server in the loop, Rasa with the
given model, per-conversation rate limit raised to ``100000/60`` so the client is never throttled.

1. start-up: from spawning ``rasa run`` (action server already up) to the first answered REST message;
2. warm-up: a few conversations, not counted;
3. NLU-only: sequential ``POST /model/parse`` of the held-out texts (bounded in count and time);
4. turns: closed-loop steps at 1, 2, 4, 8, 16, 32 concurrent conversations (see :mod:`bench.loadgen`);
   1, 4 and 16 are always measured and give the per-turn percentiles; the others stop after the first
   step whose p95 reached 1 s. Throughput: messages/s at the highest step with p95 < 1 s;
5. NLU throughput: closed-loop ``/model/parse`` at 1, 2, 4, 8, 16, 32 concurrent clients (held-out texts in
   turn); messages/s at the highest step with p95 < 1 s — the level at which an NLU-only model compares;
6. peak RSS of the Rasa and the action server process trees, sampled the whole time.

With ``--nlu-only`` (a model without dialogue, like the Rasa-default peer) there is no action server:
start-up is to the first answered ``/model/parse``, and steps 2 and 4 are left out.

Writes ``OUT/latency_<label>.json`` and ``OUT/turns_<label>.csv``.

Usage: ``python -m bench.latency --model MODEL --label NAME --out DIR [--step-seconds 20] [--nlu-only]``
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp

from bench import loadgen
from bench.stack import PROJECT_DIR, LocalStack, PeakRss, StackError, exit_on_sigterm
from deploy.local.services import ServiceError

HELDOUT = PROJECT_DIR / "tests" / "heldout" / "messages.jsonl"
REPORTED_LEVELS = (1, 4, 16)
RASA_STARTUP_SECONDS = 300
MAX_NO_MODEL_ANSWERS = 8
WARMUP_CONVERSATIONS = 4
NLU_MAX_TEXTS = 240
NLU_MAX_SECONDS = 60.0
NLU_STEP_SECONDS = 10.0
NLU_MAX_REQUESTS = 100_000
MAX_SCRIPTS = 5000


async def first_answer(url: str, stack: LocalStack, seconds: float) -> None:
    """Post a greeting until Rasa answers it with a real (non-apology) reply.

    Raises:
        StackError: Rasa exited, runs without a model, or did not answer within ``seconds``.
    """
    deadline = time.monotonic() + seconds
    timeout = aiohttp.ClientTimeout(total=30)
    without_model = 0
    async with aiohttp.ClientSession(timeout=timeout) as session:
        send = loadgen.rest_send(session, url)
        while time.monotonic() < deadline:
            if stack.rasa is not None and stack.rasa.poll() is not None:
                raise StackError(f"Rasa exited with code {stack.rasa.returncode} while starting: "
                                 f"{stack.log_tail('rasa', 400)!r}")
            try:
                status, body = await send("bench-startup", "Hallo")
                if not loadgen.turn_error(status, body):
                    return
                # Rasa listens only once its model is loaded; answering without one means it could not load it.
                async with session.get(f"{stack.rasa_url}/status", params={"token": stack.api_token}) as reply:
                    without_model = without_model + 1 if reply.status == 409 else 0
                if without_model >= MAX_NO_MODEL_ANSWERS:
                    raise StackError(f"Rasa runs without a loaded model (could not load {stack.model})")
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
                pass
            await asyncio.sleep(0.25)
    raise StackError(f"Rasa did not answer a REST message within {seconds:.0f} s")


def parse_send(session: aiohttp.ClientSession, base: str, token: str) -> loadgen.Send:
    """A :data:`loadgen.Send` that posts to ``/model/parse``; its answer counts as one reply."""

    async def send(_sender: str, text: str) -> tuple[int, Any]:
        async with session.post(f"{base}/model/parse", params={"token": token}, json={"text": text}) as reply:
            body = await reply.read()
            return reply.status, [body] if body else []

    return send


def one_turn_plans(texts: list[str], count: int) -> Iterator[loadgen.Plan]:
    """``count`` single-message scripts over the texts in turn (a parse has no follow-up)."""
    return (loadgen.Plan(number, texts[number % len(texts)], 1, 0) for number in range(count))


async def parse_latency(session: aiohttp.ClientSession, base: str, token: str,
                        texts: list[str]) -> dict[str, Any]:
    """Sequential ``/model/parse`` of ``texts``; p50/p95/p99 in ms of the good answers."""
    result = await loadgen.run_closed_loop(parse_send(session, base, token),
                                           one_turn_plans(texts, min(len(texts), NLU_MAX_TEXTS)), 1,
                                           NLU_MAX_SECONDS, "bench-parse")
    if not result.ok_ms:
        raise StackError("Rasa's /model/parse answered no request (is --enable-api on?)")
    return {**{f"p{q}": round(loadgen.percentile(result.ok_ms, q) or 0.0, 2) for q in (50, 95, 99)},
            "n": len(result.ok_ms), "errors": result.errors}


async def first_parse(stack: LocalStack, seconds: float) -> None:
    """Post ``/model/parse`` until Rasa answers it with an intent.

    Raises:
        StackError: Rasa exited or did not answer within ``seconds``.
    """
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        while time.monotonic() < deadline:
            if stack.rasa is not None and stack.rasa.poll() is not None:
                raise StackError(f"Rasa exited with code {stack.rasa.returncode} while starting: "
                                 f"{stack.log_tail('rasa', 400)!r}")
            try:
                async with session.post(f"{stack.rasa_url}/model/parse", params={"token": stack.api_token},
                                        json={"text": "Hallo"}) as reply:
                    if reply.status == 200 and (await reply.json()).get("intent"):
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError):
                pass
            await asyncio.sleep(0.25)
    raise StackError(f"Rasa did not answer /model/parse within {seconds:.0f} s")


async def nlu_throughput(stack: LocalStack, texts: list[str], step_seconds: float) -> dict[str, Any]:
    """Closed-loop ``/model/parse`` steps; messages/s at the highest step with p95 under 1 s."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:

        async def step(level: int) -> loadgen.StepResult:
            result = await loadgen.run_closed_loop(parse_send(session, stack.rasa_url, stack.api_token),
                                                   one_turn_plans(texts, NLU_MAX_REQUESTS), level, step_seconds,
                                                   "bench-parse")
            print(f"  NLU {level:>2} clients: {result.msgs_per_second:.1f} parses/s, p95 {result.p95_ms or 0:.0f} ms, "
                  f"{result.errors} errors", flush=True)
            return result

        throughput, steps = await loadgen.search_throughput(step, loadgen.LEVELS)
    return {"msgs_per_second": round(throughput, 2), "step_seconds": step_seconds,
            "steps": [s.step_summary() for s in steps]}


async def measure_nlu_only(stack: LocalStack, texts: list[str], step_seconds: float) -> dict[str, Any]:
    """Sequential parse latency and NLU throughput of a model without dialogue."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        nlu = await parse_latency(session, stack.rasa_url, stack.api_token, texts)
    return {"nlu": nlu, "nlu_throughput": await nlu_throughput(stack, texts, step_seconds)}


async def measure(stack: LocalStack, label: str, texts: list[str], step_seconds: float) -> dict[str, Any]:
    """Warm-up, NLU parse, and the closed-loop steps against the running stack."""
    webhook = f"{stack.rasa_url}/webhooks/rest/webhook"
    plans = loadgen.build_plans(texts, MAX_SCRIPTS)
    connector = aiohttp.TCPConnector(limit=max(loadgen.LEVELS) * 2)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        send = loadgen.rest_send(session, webhook)
        warm = await loadgen.run_closed_loop(send, plans[:WARMUP_CONVERSATIONS], 2, 60, f"bench-{label}-warmup")
        if warm.errors == len(warm.turns):
            raise StackError(f"every warm-up turn failed ({warm.turns[0].error if warm.turns else 'no turns'})")
        nlu = await parse_latency(session, stack.rasa_url, stack.api_token, texts)

        async def step(level: int) -> loadgen.StepResult:
            result = await loadgen.run_closed_loop(send, plans, level, step_seconds, f"bench-{label}-c{level}")
            print(f"  {level:>2} conversations: {len(result.turns)} turns, {result.msgs_per_second:.1f} msg/s, "
                  f"p95 {result.p95_ms or 0:.0f} ms, {result.errors} errors", flush=True)
            return result

        throughput, steps = await loadgen.search_throughput(step, loadgen.LEVELS, REPORTED_LEVELS)
    nlu_steps = await nlu_throughput(stack, texts, NLU_STEP_SECONDS)
    return {"nlu": nlu, "throughput": throughput, "steps": steps, "nlu_throughput": nlu_steps}


def write_turns_csv(path: Path, steps: list[loadgen.StepResult]) -> None:
    """Every measured turn: concurrency, conversation, turn, status, ms, error."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(loadgen.TURN_COLUMNS)
        for step in steps:
            writer.writerows(step.turn_rows())


def run_nlu_only(model: Path, label: str) -> dict[str, Any]:
    """Rasa alone with an NLU-only model: start-up, parse latency, NLU throughput, peak RSS.

    Raises:
        StackError: Rasa did not start or did not answer (the message names it).
    """
    texts = loadgen.load_texts(HELDOUT)
    scratch = Path(tempfile.mkdtemp(prefix=f"zr-bench-{label}-"))
    stack = LocalStack(model.resolve(), scratch)
    stack.env["ACTION_SERVER_URL"] = "http://127.0.0.1:9/webhook"  # never called: the model has no dialogue
    sampler = PeakRss()
    sampler.start()
    try:
        spawned = time.monotonic()
        sampler.watch("rasa", stack.start_rasa().pid)
        asyncio.run(first_parse(stack, RASA_STARTUP_SECONDS))
        startup = time.monotonic() - spawned
        print(f"{label}: Rasa parsed its first message {startup:.1f} s after it was started", flush=True)
        measured = asyncio.run(measure_nlu_only(stack, texts, NLU_STEP_SECONDS))
    finally:
        peaks = sampler.finish()
        stack.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return {"label": label, "model": str(model), "mode": "nlu", "startup_seconds": round(startup, 2),
            "rasa_peak_rss_mb": peaks.get("rasa"), "actions_peak_rss_mb": None, "nlu_parse_ms": measured["nlu"],
            "turns": {}, "throughput": None, "nlu_throughput": measured["nlu_throughput"]}


def run(model: Path, label: str, out: Path, step_seconds: float) -> dict[str, Any]:
    """Start the stack, measure, stop it; returns the results.

    Raises:
        StackError: a server did not start or did not answer (the message names it).
    """
    texts = loadgen.load_texts(HELDOUT)
    scratch = Path(tempfile.mkdtemp(prefix=f"zr-bench-{label}-"))
    stack = LocalStack(model.resolve(), scratch)
    sampler = PeakRss()
    sampler.start()
    try:
        stack.start_actions()
        assert stack.actions is not None  # noqa: S101 - set by start_actions
        sampler.watch("actions", stack.actions.pid)
        spawned = time.monotonic()
        sampler.watch("rasa", stack.start_rasa().pid)
        asyncio.run(first_answer(f"{stack.rasa_url}/webhooks/rest/webhook", stack, RASA_STARTUP_SECONDS))
        startup = time.monotonic() - spawned
        print(f"{label}: Rasa answered {startup:.1f} s after it was started", flush=True)
        measured = asyncio.run(measure(stack, label, texts, step_seconds))
    finally:
        peaks = sampler.finish()
        stack.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    steps: list[loadgen.StepResult] = measured["steps"]
    by_level = {s.concurrency: s for s in steps}
    write_turns_csv(out / f"turns_{label}.csv", steps)
    return {
        "label": label,
        "model": str(model),
        "mode": "full",
        "startup_seconds": round(startup, 2),
        "rasa_peak_rss_mb": peaks.get("rasa"),
        "actions_peak_rss_mb": peaks.get("actions"),
        "nlu_parse_ms": measured["nlu"],
        "turns": {str(level): by_level[level].summary() for level in REPORTED_LEVELS if level in by_level},
        "throughput": {"msgs_per_second": round(measured["throughput"], 2),
                       "p95_limit_ms": loadgen.P95_LIMIT_MS, "step_seconds": step_seconds,
                       "steps": [s.step_summary() for s in steps]},
        "nlu_throughput": measured["nlu_throughput"],
    }


def main(argv: list[str] | None = None) -> int:
    """Measure one model and print a short summary; non-zero with a one-line reason on failure."""
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="the trained model (.tar.gz)")
    parser.add_argument("--label", required=True, help="name in the output files, e.g. zorgroute")
    parser.add_argument("--out", type=Path, required=True, help="folder for latency_<label>.json and the CSV")
    parser.add_argument("--step-seconds", type=float, default=20.0, help="length of each load step")
    parser.add_argument("--nlu-only", action="store_true", help="an NLU-only model: Rasa alone, /model/parse only")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, exit_on_sigterm)  # so the finally blocks stop the servers
    if not args.model.is_file():
        print(f"bench.latency: the model {args.model} does not exist", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"latency_{args.label}.json").unlink(missing_ok=True)  # never leave an older run's numbers
    started = time.monotonic()
    try:
        results = (run_nlu_only(args.model, args.label) if args.nlu_only
                   else run(args.model, args.label, args.out, args.step_seconds))
    except (ServiceError, OSError, ValueError) as error:
        print(f"bench.latency ({args.label}): {error}", file=sys.stderr)
        return 1
    path = args.out / f"latency_{args.label}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    nlu, turns = results["nlu_parse_ms"], results["turns"]
    if args.nlu_only:
        print(f"{args.label}: start-up {results['startup_seconds']:.1f} s; peak RSS Rasa {results['rasa_peak_rss_mb']} "
              f"MB; NLU parse p50/p95 {nlu['p50']}/{nlu['p95']} ms; NLU throughput "
              f"{results['nlu_throughput']['msgs_per_second']} parses/s -> {path}")
        return 0
    print(f"{args.label}: start-up {results['startup_seconds']:.1f} s; peak RSS Rasa {results['rasa_peak_rss_mb']} MB, "
          f"actions {results['actions_peak_rss_mb']} MB; NLU parse p50/p95 {nlu['p50']}/{nlu['p95']} ms")
    for level, data in turns.items():
        print(f"  turns at {level:>2}: p50 {data['p50_ms']} ms, p95 {data['p95_ms']} ms, p99 {data['p99_ms']} ms "
              f"({data['turns']} turns, {data['errors']} errors)")
    print(f"  throughput at p95 < 1 s: {results['throughput']['msgs_per_second']} msg/s "
          f"({time.monotonic() - started:.0f} s in all) -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
