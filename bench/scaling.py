"""Throughput of the production shape with 1 and with 2 Rasa replicas, and their ratio.

Each run starts ``python -m deploy.local.shape --replicas N --no-fsync`` (PostgreSQL tracker store,
Redis lock store and rate limits, nginx, N Rasa replicas + N action servers, model
``models/zorgroute.tar.gz``) in a scratch folder with the per-conversation rate limit raised to
``100000/60``, then drives the public nginx address with the same multi-turn scripts as
:mod:`bench.latency`: a short warm-up, then closed-loop steps of rising concurrency. Throughput is the
messages/s of the highest step whose p95 stayed under 1 s. The shape is stopped (SIGTERM, waited
for) before the next one starts.

Writes ``OUT/scaling.json`` and the raw turns to ``OUT/scaling_turns.csv``.

Usage: ``python -m bench.scaling --out DIR [--step-seconds 10]``
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
from pathlib import Path
from typing import Any

import aiohttp

from bench import loadgen
from bench.latency import HELDOUT, MAX_SCRIPTS
from bench.stack import PROJECT_DIR, ShapeProcess, StackError, exit_on_sigterm
from deploy.local.services import ServiceError

MODEL = PROJECT_DIR / "models" / "zorgroute.tar.gz"  # what deploy/local/shape.py serves
REPLICAS = (1, 2)
WARMUP_CONVERSATIONS = 4


async def measure(public_url: str, replicas: int, texts: list[str], step_seconds: float) -> dict[str, Any]:
    """Warm-up, then the throughput search through nginx."""
    plans = loadgen.build_plans(texts, MAX_SCRIPTS)
    connector = aiohttp.TCPConnector(limit=max(loadgen.LEVELS) * 2)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        send = loadgen.rest_send(session, f"{public_url}/webhooks/rest/webhook")
        # Two workers at a time, so with 2 replicas each gets its first turns (nginx round-robin).
        warm = await loadgen.run_closed_loop(send, plans[:WARMUP_CONVERSATIONS], 2, 90, f"bench-r{replicas}-warmup")
        if not warm.turns or warm.errors == len(warm.turns):
            raise StackError(f"the production shape ({replicas} replica(s)) answered no warm-up turn"
                             f" ({warm.turns[0].error if warm.turns else 'no turns'})")

        async def step(level: int) -> loadgen.StepResult:
            result = await loadgen.run_closed_loop(send, plans, level, step_seconds, f"bench-r{replicas}-c{level}")
            print(f"  {replicas} replica(s), {level:>2} conversations: {len(result.turns)} turns, "
                  f"{result.msgs_per_second:.1f} msg/s, p95 {result.p95_ms or 0:.0f} ms, {result.errors} errors",
                  flush=True)
            return result

        throughput, steps = await loadgen.search_throughput(step, loadgen.LEVELS)
    return {"msgs_per_second": throughput, "steps": steps}


def run_shape(replicas: int, texts: list[str], step_seconds: float) -> tuple[dict[str, Any], list[Any]]:
    """Start the shape, measure, stop it; the summary and the raw steps.

    Raises:
        StackError: the shape did not start or did not answer (the message names it).
    """
    run_dir = Path(tempfile.mkdtemp(prefix=f"zr-bench-shape{replicas}-"))
    shape = ShapeProcess(run_dir, replicas)
    started = time.monotonic()
    try:
        public_url = shape.start()
        startup = time.monotonic() - started
        print(f"{replicas} replica(s): the production shape was ready after {startup:.0f} s", flush=True)
        measured = asyncio.run(measure(public_url, replicas, texts, step_seconds))
    finally:
        shape.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
    steps: list[loadgen.StepResult] = measured["steps"]
    return {"msgs_per_second": round(measured["msgs_per_second"], 2), "startup_seconds": round(startup, 1),
            "step_seconds": step_seconds, "steps": [s.step_summary() for s in steps]}, steps


def write_csv(path: Path, raw: dict[int, list[loadgen.StepResult]]) -> None:
    """Every measured turn: replicas, concurrency, conversation, turn, status, ms, error."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["replicas", *loadgen.TURN_COLUMNS])
        for replicas, steps in raw.items():
            for step in steps:
                writer.writerows([replicas, *row] for row in step.turn_rows())


def main(argv: list[str] | None = None) -> int:
    """Measure 1 and 2 replicas and print the ratio; non-zero with a one-line reason on failure."""
    parser = argparse.ArgumentParser(prog="python -m bench.scaling", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for scaling.json and scaling_turns.csv")
    parser.add_argument("--step-seconds", type=float, default=10.0, help="length of each load step")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, exit_on_sigterm)  # so the finally blocks stop the servers
    if not MODEL.is_file():
        print(f"bench.scaling: the model {MODEL} does not exist (make train)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scaling.json").unlink(missing_ok=True)  # never leave an older run's numbers behind
    started = time.monotonic()
    results: dict[str, Any] = {}
    raw: dict[int, list[loadgen.StepResult]] = {}
    failure = ""
    try:
        texts = loadgen.load_texts(HELDOUT)
        for replicas in REPLICAS:
            results[str(replicas)], raw[replicas] = run_shape(replicas, texts, args.step_seconds)
    except (ServiceError, OSError, ValueError) as error:
        failure = str(error)
    one, two = (results.get(key, {}).get("msgs_per_second") for key in ("1", "2"))
    ratio = round(two / one, 3) if one and two is not None else None
    summary = {"model": str(MODEL), "p95_limit_ms": loadgen.P95_LIMIT_MS, "replicas": results, "ratio": ratio,
               **({"error": failure} if failure else {})}
    path = args.out / "scaling.json"
    if results:  # what was measured before a failure is kept, with the error
        path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        write_csv(args.out / "scaling_turns.csv", raw)
    if failure:
        print(f"bench.scaling: {failure}", file=sys.stderr)
        return 1
    print(f"scaling: 1 replica {one} msg/s, 2 replicas {two} msg/s, ratio {ratio} "
          f"({time.monotonic() - started:.0f} s in all) -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
