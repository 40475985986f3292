"""Where syntheses run: a local process pool (concurrent.futures) by default, or a Dask
distributed cluster given its scheduler's address. Either way the client first takes what the
cache holds, submits each distinct kernel once (Dask: keyed by its content hash, so a kernel
another client already submitted is computed once), and stores what comes back in its cache."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from bnnir.backends.yosys.synth import Job, Resources, SynthesisError, cached, store, synthesize

CLUSTER_VARIABLE = "BNNIR_SYNTH_CLUSTER"
DASK_INSTALL = "pip install 'dask[distributed]'"


def run_jobs(jobs: Sequence[Job], cluster: str | None = None, workers: int = 2
             ) -> list[Resources]:
    """Each job's resources, in order. `cluster`: a Dask scheduler address (tcp://HOST:8786),
    default the BNNIR_SYNTH_CLUSTER variable; without one, `workers` local processes."""
    cluster = cluster or os.environ.get(CLUSTER_VARIABLE) or None
    results: dict[str, Resources] = {}
    todo: dict[str, Job] = {}
    for job in jobs:
        hit = cached(Path(job.cache), job.digest)
        if hit is not None:
            results[job.digest] = hit
        else:
            todo.setdefault(job.digest, job)
    if todo:
        run = _on_cluster if cluster else _in_pool
        # the largest first: a few large kernels set the wall time (longest processing first)
        order = sorted(todo.values(), key=lambda job: -sum(len(t) for _, t in job.files))
        todo = {job.digest: job for job in order}
        computed = run(list(todo.values()), cluster or "", workers)
        for job, resources in zip(todo.values(), computed, strict=True):
            if not resources.cached:  # a remote worker's cache is not the client's
                store(Path(job.cache), job.digest, resources)
            results[job.digest] = resources
    return [results[job.digest] for job in jobs]


def _in_pool(jobs: list[Job], cluster: str, workers: int) -> list[Resources]:
    del cluster
    if len(jobs) == 1 or workers <= 1:
        return [synthesize(job) for job in jobs]
    # fork: a worker only runs yosys, and spawn would import the caller's main script again
    # (a script without a __main__ guard would then synthesize recursively)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=context) as pool:
        futures = [pool.submit(synthesize, job) for job in jobs]
        try:
            return [future.result() for future in futures]
        except BrokenProcessPool:
            raise SynthesisError("a synthesis process died (out of memory?); run again, the "
                                 "kernels done so far are cached") from None
        finally:  # on a failure, do not start the kernels still waiting
            pool.shutdown(wait=False, cancel_futures=True)


def _on_cluster(jobs: list[Job], address: str, workers: int) -> list[Resources]:
    del workers  # the cluster has its own
    try:
        from distributed import Client
    except ImportError:
        raise SynthesisError(f"--synth-cluster {address} needs Dask: {DASK_INSTALL}") from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, ValueError, TypeError) as e:
        raise SynthesisError(f"cannot reach the Dask scheduler at {address}: "
                             f"{_one_line(e)}") from None
    with client:
        futures = [client.submit(synthesize, job, key=f"bnnir-synth-{job.digest}", pure=True)
                   for job in jobs]
        try:
            return client.gather(futures)
        except SynthesisError:
            raise
        except Exception as e:  # a worker without bnnir, a lost worker, ...
            raise SynthesisError(f"the Dask cluster at {address} failed: {type(e).__name__}: "
                                 f"{_one_line(e)}") from None


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200]
