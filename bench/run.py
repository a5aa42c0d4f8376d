"""``make bench``: every benchmark in one run, then ``docs/benchmarks.md`` from its numbers.

Steps, each a subprocess so one failure is reported and the others still run:

1. this project's model: a full ``rasa train``, timed. When ``make bench`` itself just trained
   ``models/zorgroute.tar.gz`` (``.make/train.json`` finished after ``ZORGROUTE_BENCH_STARTED``), that
   training is the measurement and its model is used; otherwise it is trained again into
   ``bench/out/models/``. Then the Rasa-default peer (``bench/configs/rasa_default.yml``: the NLU
   pipeline ``rasa init`` writes), NLU only, timed, on the same ``data/``;
2. routing quality of both models and the keyword baseline on the held-out set (``bench.quality``);
3. latency, throughput, start-up and peak memory: this project's model through the REST webhook with
   the action server in the loop, and both models' NLU through ``/model/parse`` (``bench.latency``);
4. the production shape with 1 and 2 Rasa replicas (``bench.scaling``);
5. the report (``bench.report``).

Raw numbers (JSON, CSV) and the confusion-matrix PNGs go to ``docs/benchmarks/``; ``run.json`` there
records the machine, date, commit and how long each step took. Nothing here fails on absolute
times: the exit code is non-zero only when a step could not run at all.

Usage: ``python -m bench.run [--skip STEP ...]`` (steps: train, quality, latency, scaling).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.stack import QUIET_ENV

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS = PROJECT_DIR / "docs" / "benchmarks"
MODELS = PROJECT_DIR / "bench" / "out" / "models"
VENV_BIN = Path(sys.executable).parent
STEPS = ("train", "quality", "latency", "scaling")


def _first_line(path: str, prefix: str) -> str:
    """The value of the first ``prefix: value`` (or ``prefix=value``) line of a system file."""
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith(prefix):
                return line[len(prefix):].lstrip(" \t:=").strip().strip('"')
    except OSError:
        pass
    return "unknown"


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    result = subprocess.run(["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    return result.stdout.strip()


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    memory_kb = _first_line("/proc/meminfo", "MemTotal").split()[0]
    return {
        "cpu": _first_line("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory_kb) / 1024 / 1024, 1) if memory_kb.isdigit() else None,
        "os": _first_line("/etc/os-release", "PRETTY_NAME"),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "rasa": _version("rasa"),
        "tensorflow": _version("tensorflow"),
        "spacy": _version("spacy"),
    }


def run_step(name: str, command: list[str], log_dir: Path, timings: dict[str, Any]) -> bool:
    """Run one step with its output in ``log_dir/<name>.log``; record its wall time and exit code."""
    log = log_dir / f"{name}.log"
    print(f"==> {name}: {' '.join(Path(c).name if c.startswith('/') else c for c in command)}", flush=True)
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as handle:
        result = subprocess.run(command, cwd=PROJECT_DIR, env={**os.environ, **QUIET_ENV}, stdout=handle,
                                stderr=subprocess.STDOUT, check=False)
    seconds = round(time.monotonic() - started, 1)
    timings[name] = {"seconds": seconds, "exit_code": result.returncode}
    status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode}, see {log})"
    print(f"    {status} in {seconds:.0f} s", flush=True)
    return result.returncode == 0


def training_by_make(started: str | None, root: Path = PROJECT_DIR) -> float | None:
    """Seconds of the ``make train`` that ran inside this ``make bench`` call, if it did."""
    record = root / ".make" / "train.json"
    if not started or not record.exists() or not (root / "models" / "zorgroute.tar.gz").exists():
        return None
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        return float(data["seconds"]) if float(data["finished"]) >= float(started) else None
    except (ValueError, KeyError, TypeError):
        return None


def main(argv: list[str] | None = None) -> int:
    """Run the selected steps and write the report; non-zero when a step failed."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--skip", action="append", choices=STEPS, default=[], help="leave a step out")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    MODELS.mkdir(parents=True, exist_ok=True)
    log_dir = PROJECT_DIR / "bench" / "out" / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    python, rasa = str(VENV_BIN / "python"), str(VENV_BIN / "rasa")
    ours, peer = MODELS / "zorgroute.tar.gz", MODELS / "rasa_default.tar.gz"
    started = time.monotonic()
    timings: dict[str, Any] = {}
    ok = True

    if "train" not in args.skip:
        by_make = training_by_make(os.environ.get("ZORGROUTE_BENCH_STARTED"))
        if by_make is not None:
            ours = PROJECT_DIR / "models" / "zorgroute.tar.gz"
            timings["train_zorgroute"] = {"seconds": by_make, "exit_code": 0, "by": "make train in this run"}
            print(f"==> train_zorgroute: timed by make train in this run ({by_make / 60:.1f} min)", flush=True)
        else:
            ok &= run_step("train_zorgroute", [rasa, "train", "--force", "--config", "config.yml", "--domain",
                                               "domain.yml", "--data", "data", "--out", str(MODELS),
                                               "--fixed-model-name", "zorgroute"], log_dir, timings)
        ok &= run_step("train_rasa_default", [rasa, "train", "nlu", "--config", "bench/configs/rasa_default.yml",
                                              "--nlu", "data/nlu", "--out", str(MODELS), "--fixed-model-name",
                                              "rasa_default"], log_dir, timings)
    elif (PROJECT_DIR / "models" / "zorgroute.tar.gz").exists() and not ours.exists():
        ours = PROJECT_DIR / "models" / "zorgroute.tar.gz"
    if "quality" not in args.skip:
        ok &= run_step("quality", [python, "-m", "bench.quality", "--ours", str(ours), "--default", str(peer),
                                   "--out", str(RESULTS)], log_dir, timings)
    if "latency" not in args.skip:
        for label, model, mode in (("zorgroute", ours, []), ("rasa_default", peer, ["--nlu-only"])):
            ok &= run_step(f"latency_{label}", [python, "-m", "bench.latency", "--model", str(model), "--label",
                                                label, "--out", str(RESULTS), *mode], log_dir, timings)
    if "scaling" not in args.skip:
        ok &= run_step("scaling", [python, "-m", "bench.scaling", "--out", str(RESULTS)], log_dir, timings)

    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    run = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _git("rev-parse", "--short", "HEAD") + ("+uncommitted changes" if dirty else ""),
        "machine": machine(),
        "steps": timings,
        "skipped": args.skip,
        "total_seconds": round(time.monotonic() - started, 1),
    }
    (RESULTS / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    from bench.report import write_report

    report = write_report(RESULTS, PROJECT_DIR / "docs" / "benchmarks.md")
    print(f"==> report: {report.relative_to(PROJECT_DIR)} (total {run['total_seconds'] / 60:.1f} min)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
