"""A campaign: malformed inputs through the tools, random networks against onnxruntime, and the
summary table."""

from __future__ import annotations

import collections
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .malformed import Case, Seeds, make_case
from .networks import STAGES, Verdict, check_network, random_network
from .outcomes import FAILURES, OUTCOMES, Run, run_tool

NETWORK_OUTCOMES = ("match", "refused", "mismatch (remarked)", "mismatch (signed zero)",
                    "mismatch", "internal error", "hang")
NETWORK_FAILURES = ("mismatch (signed zero)", "mismatch", "internal error", "hang")
"""A mismatch the importer remarked on is one the contract names (README, the semantic
contract); a signed zero (−0.0 where onnxruntime gives +0.0, issue 15's Neg(Sign) into a dense
layer whose sum is exactly zero) is kept apart from other mismatches but is one."""


@dataclass
class Report:
    runs: list[tuple[Case, Run]] = field(default_factory=list)
    verdicts: list[tuple[int, Verdict, list[str]]] = field(default_factory=list)
    seconds: float = 0.0

    def failures(self) -> list[str]:
        lines = [f"[{case.kind}] {run.outcome}: {run.command()}  ->  {run.detail}"
                 for case, run in self.runs if run.outcome in FAILURES]
        lines += [f"[network seed {seed}] {v.outcome} at {v.stage}: {v.detail}  |  "
                  + "; ".join(features) for seed, v, features in self.verdicts
                  if v.outcome in NETWORK_FAILURES]
        return lines

    def summary(self) -> str:
        out = [f"malformed inputs: {len(self.runs)} tool runs"]
        kinds = sorted({case.kind.split(" (")[0] for case, _ in self.runs})
        out.append(_table(["input", *OUTCOMES],
                          [[kind, *(sum(1 for c, r in self.runs if c.kind.startswith(kind)
                                        and r.outcome == o) for o in OUTCOMES)]
                           for kind in kinds]
                          + [["total", *(sum(1 for _, r in self.runs if r.outcome == o)
                                         for o in OUTCOMES)]]))
        out.append(f"random networks: {len(self.verdicts)} (compared with onnxruntime after "
                   "each stage)")
        out.append(_table(["stage", *NETWORK_OUTCOMES],
                          [[stage, *(sum(1 for _, v, _ in self.verdicts if v.stage == stage
                                         and v.outcome == o) for o in NETWORK_OUTCOMES)]
                           for stage in ("onnxruntime", *STAGES)]
                          + [["total", *(sum(1 for _, v, _ in self.verdicts if v.outcome == o)
                                         for o in NETWORK_OUTCOMES)]]))
        refusals = collections.Counter(_reason(v.detail) for _, v, _ in self.verdicts
                                       if v.outcome == "refused")
        if refusals:
            out.append("most frequent refusals:")
            out += [f"  {n:5d}  {reason}" for reason, n in refusals.most_common(8)]
        remarked = [f"  seed {s}: {v.stage}: {v.detail}" for s, v, _ in self.verdicts
                    if v.outcome == "mismatch (remarked)"]
        if remarked:
            out.append("mismatches the importer remarked on (the contract's inexact cases):")
            out += remarked[:20]
        failures = self.failures()
        out.append(f"failures: {len(failures)}" + ("" if failures else " (none)"))
        out += [f"  {line}" for line in failures]
        out.append(f"time: {self.seconds:.0f} s")
        return "\n".join(out)


def _reason(detail: str) -> str:
    """A refusal without its node names, to group alike ones."""
    what = detail.split(": ", 1)[-1]
    return " ".join(w for w in what.split() if not w.startswith("'"))[:110]


def _table(header: list[str], rows: list[list[object]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  " + "  ".join(str(c).rjust(w) if i else str(c).ljust(w)
                              for i, (c, w) in enumerate(zip(row, widths, strict=True)))
             for row in [header, *rows]]
    return "\n".join(lines)


def run_case(case: Case, timeout: float) -> Run:
    with tempfile.TemporaryDirectory(prefix="bnnir-fuzz-") as folder:
        for name, data in case.files.items():
            (Path(folder) / name).write_bytes(data)
        return run_tool(case.tool, case.args, Path(folder), timeout)


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout


def check_with_timeout(seed: int, timeout: float) -> tuple[Verdict, list[str]]:
    """One random network's verdict; a check running past `timeout` is a hang."""
    try:
        network = random_network(seed)
    except Exception as e:  # onnxruntime refuses a partial draw (its shape inference)
        return Verdict("refused", "onnxruntime", " ".join(str(e).split())[:200]), []
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(max(1, int(timeout)))
    try:
        verdict = check_network(network, seed)
    except _Timeout:
        verdict = Verdict("hang", "?", f"no verdict after {timeout:g} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return verdict, network.features


def run_campaign(malformed: int, networks: int, seed: int, timeout: float = 60.0,
                 log: bool = True) -> Report:
    import onnxruntime

    onnxruntime.set_default_logger_severity(3)
    start = time.perf_counter()
    report = Report()
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory(prefix="bnnir-fuzz-seeds-") as folder:
        seeds = Seeds(Path(folder))
        cases = [make_case(rng, seeds) for _ in range(malformed)]
    for index, case in enumerate(cases):
        run = run_case(case, timeout)
        report.runs.append((case, run))
        if log and run.outcome in FAILURES:
            print(f"[{case.kind}] {run.outcome}: {run.command()} -> {run.detail}",
                  file=sys.stderr, flush=True)
        if log and (index + 1) % 100 == 0:
            print(f"... {index + 1} malformed inputs, {time.perf_counter() - start:.0f} s",
                  file=sys.stderr, flush=True)
    for index in range(networks):
        network_seed = seed * 1_000_003 + index
        verdict, features = check_with_timeout(network_seed, timeout)
        report.verdicts.append((network_seed, verdict, features))
        if log and verdict.outcome in NETWORK_FAILURES:
            print(f"[network seed {network_seed}] {verdict.outcome} at {verdict.stage}: "
                  f"{verdict.detail}", file=sys.stderr, flush=True)
        if log and (index + 1) % 100 == 0:
            print(f"... {index + 1} networks, {time.perf_counter() - start:.0f} s",
                  file=sys.stderr, flush=True)
    report.seconds = time.perf_counter() - start
    return report
