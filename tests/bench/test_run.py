"""Which training time ``make bench`` reports: the one ``make train`` did in the same call, or none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.run import training_by_make


def project(tmp_path: Path, record: str | None, model: bool = True) -> Path:
    (tmp_path / ".make").mkdir()
    (tmp_path / "models").mkdir()
    if record is not None:
        (tmp_path / ".make" / "train.json").write_text(record)
    if model:
        (tmp_path / "models" / "zorgroute.tar.gz").write_bytes(b"model")
    return tmp_path


def test_a_training_finished_after_make_bench_started_is_the_measurement(tmp_path):
    root = project(tmp_path, json.dumps({"seconds": 223, "finished": 1_000_500}))
    assert training_by_make("1000000", root) == 223.0


@pytest.mark.parametrize(("record", "model", "started"), [
    (json.dumps({"seconds": 223, "finished": 999_000}), True, "1000000"),   # an older training: train again
    (json.dumps({"seconds": 223, "finished": 1_000_500}), False, "1000000"),  # no model next to the record
    (None, True, "1000000"),                                                 # make train never timed one
    ("{not json", True, "1000000"),                                          # a damaged record
    (json.dumps({"seconds": 223}), True, "1000000"),                         # no finish time
    (json.dumps({"seconds": 223, "finished": 1_000_500}), True, None),       # not started by make bench
])
def test_otherwise_the_benchmark_trains_again(tmp_path, record, model, started):
    assert training_by_make(started, project(tmp_path, record, model)) is None
