"""Where many independent runs are computed: in this process, or on Dask when that pays.

A local Dask cluster is not free. Measured on the 2-core development machine (loaded by other
work): a ``LocalCluster`` of two worker processes answers its first task after about 0.7 s,
each worker then spends 1.5-2.5 s importing the solvers and loading the network before its
first real run, and every task costs about 2 ms of scheduling and transfer. A stress-case
re-solve takes 10-30 ms. So a sweep of a few hundred runs is faster in this process, and
the cluster pays only for long sweeps (or on a machine with idle cores).

The rule used here (:func:`cluster_pays`): time the first runs in this process, then start a
cluster only if ``CLUSTER_START_S + runs × (run + TASK_OVERHEAD_S) / workers`` is clearly
below ``runs × run``, with ``workers`` capped at the processors that are free (1-minute load
average): on a machine that other work keeps busy, more processes only take turns on the
same cores (there the start-up measured 11 s instead of 3). A scheduler address given by the
user is always used (the cluster is there already; the user asked for it).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

#: Seconds before a fresh local cluster's workers are computing (start-up, imports, network).
CLUSTER_START_S = 3.0
#: Seconds of scheduling and transfer per task on a local cluster.
TASK_OVERHEAD_S = 0.002
#: Time the first runs in this process for at least this long before deciding.
PROBE_S = 0.5
#: A cluster must beat the in-process estimate by this factor to be started.
MARGIN = 0.8
#: Seconds of work per task sent to a worker (tasks are batches of runs).
BATCH_S = 0.5


def cluster_pays(seconds_per_run: float, runs_left: int, workers: int) -> bool:
    """Whether ``workers`` local worker processes finish ``runs_left`` runs sooner than this
    process alone, start-up included (module docstring)."""
    workers = min(workers, free_processors())
    if workers < 2 or runs_left < 2 or not math.isfinite(seconds_per_run):
        return False
    in_process = runs_left * seconds_per_run
    on_cluster = CLUSTER_START_S + runs_left * (seconds_per_run + TASK_OVERHEAD_S) / workers
    return on_cluster < MARGIN * in_process


def free_processors() -> int:
    """Processors this process may use that other work does not keep busy: the usable
    count less the 1-minute load average, plus this process's own share; at least 1."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except OSError:
        return usable
    return max(1, min(usable, math.floor(usable - busy + 1 + 0.5)))


#: Threads that solve one closure's independent LPs at once (None: the free processors, at
#: most 2). The LP solvers release the GIL: two baseline LPs solved together took 1.39 s
#: against 1.13 s for one. A Dask worker sets this to 1 (its cluster already fills the
#: processors).
LP_THREADS: int | None = None


def lp_threads() -> int:
    """Threads for one closure's independent LP solves (:data:`LP_THREADS`)."""
    return LP_THREADS if LP_THREADS is not None else min(2, free_processors())


def at_once(calls: Sequence[Callable[[], T]]) -> list[T]:
    """The results of ``calls`` (independent, thread-safe, each mostly an LP solve that
    releases the GIL), in order, computed by up to :func:`lp_threads` threads. The first
    exception raised is raised here, after the calls already running have ended."""
    workers = min(len(calls), lp_threads())
    if workers <= 1:
        return [call() for call in calls]
    with ThreadPoolExecutor(workers, thread_name_prefix="mobility-lp") as pool:
        futures = [pool.submit(call) for call in calls]
        try:
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def batches(items: Sequence[Any], seconds_per_item: float, workers: int) -> list[list[Any]]:
    """``items`` in consecutive batches of about `BATCH_S` seconds each, at least three per
    worker (so a slow batch does not leave the other workers idle at the end)."""
    if not items:
        return []
    by_time = max(1, int(BATCH_S / max(seconds_per_item, 1e-6)))
    by_balance = max(1, math.ceil(len(items) / (3 * max(workers, 1))))
    size = min(by_time, by_balance)
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def local_client(workers: int, *, preload: Sequence[str] = ("mobility._parallel",)):
    """A ``dask.distributed.Client`` on a new ``LocalCluster`` of ``workers`` processes
    (one thread each, no dashboard, quiet logs). Close it with :func:`close`."""
    from dask.distributed import Client, LocalCluster

    # Workers ignore SIGINT (see dask_setup), so Ctrl-C stops only this process, which then
    # closes the cluster, instead of every worker printing a KeyboardInterrupt trace.
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR,
                           preload=list(preload))
    return Client(cluster)


def close(client) -> None:
    """Close the client and, if it owns one, its local cluster: the worker processes, their
    nannies and multiprocessing's resource tracker exit before this returns, so nothing is
    left running in the process group (the tracker would otherwise outlive the command by a
    fraction of a second)."""
    cluster = client.cluster
    client.close()
    if cluster is not None:
        cluster.close()
        _stop_resource_tracker()


def _stop_resource_tracker() -> None:
    from multiprocessing import resource_tracker

    tracker = resource_tracker._resource_tracker
    stop = getattr(tracker, "_stop", None)  # CPython 3.8+
    # Only a tracker this process started (a spawned child shares its parent's, _pid None).
    if callable(stop) and getattr(tracker, "_pid", None) is not None:
        stop()  # ensure_running() starts a new one if a later cluster needs it


def dask_setup(worker) -> None:
    """Dask preload hook of the local workers: leave Ctrl-C to the process that owns them,
    and solve each closure's LPs one at a time (the workers already fill the processors)."""
    import signal
    import threading

    global LP_THREADS
    LP_THREADS = 1

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
