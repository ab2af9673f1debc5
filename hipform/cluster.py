"""Analyse a folder of clips on a Ray cluster (``hipform batch DIR --ray [ADDRESS]``).

The only module that imports Ray, and only when a batch runs on it (``pip install
"hipform[cluster]"``). The work is cut as the local batch cuts it (:mod:`hipform.batch`): one
task per clip, never per frame, since tracking needs the clip's frames in order. A pool of
long-lived Ray actors, one CPU each, loads the pose model once per actor and analyses clip
after clip with :func:`hipform.batch.analyse_clip`, so reports, exports and the summary CSV are
written where and as the local batch writes them.

If an actor's process dies (out of memory, a crash in native code, a lost node), Ray starts
the actor again and gives it the same clip once more (:data:`CLIP_RETRIES`); a clip that kills
its worker every time is reported as failed and the other clips carry on.

Every node needs hipform installed and the clips and the output folder at the same absolute
paths (a shared file system, see docs/cluster.md); the ``HIPFORM_*`` settings of the
submitting shell (limits, cache folder) travel with the actors.
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from hipform.batch import (
    SUMMARY_CSV,
    BatchProgress,
    BatchSettings,
    ClipResult,
    _crashed,
    _init_worker,
    _work,
    prepare_batch,
    save_summary_csv,
)
from hipform.errors import HipformError

#: Times a clip is given again to its restarted actor after the actor's process died with it.
CLIP_RETRIES = 1

#: Test hook: a file path; the first actor to start a clip creates it, writes the clip's
#: name into it and kills its own process (as the out-of-memory killer would).
CRASH_ONCE_ENV = "HIPFORM_RAY_CRASH_ONCE"

#: Memory Ray reserves for each actor when placing it on a node. An actor's peak resident
#: memory was 535-650 MB (a 480p sample, 1080p clips): MediaPipe's pose graph, a decoded clip
#: in flight, numpy and SciPy, and Ray's own worker library.
ACTOR_MEMORY_BYTES = 700 * 2**20


#: Seconds to wait for the head's port to answer: Ray itself keeps trying for minutes.
CONNECT_TIMEOUT_S = 10.0


class ClusterUnavailableError(HipformError):
    """Ray is not installed, or the cluster cannot be reached (exit 2, a set-up to fix)."""

    exit_code = 2


def _import_ray():
    try:
        import ray
    except ImportError:
        raise ClusterUnavailableError(
            "Running a batch on Ray needs the ray library: pip install 'hipform[cluster]'."
        ) from None
    return ray


class ClipWorker:
    """One Ray actor: a worker process that keeps its pose model from clip to clip."""

    def __init__(self, settings: BatchSettings) -> None:
        _init_worker(settings.pose_options)  # as a local batch's worker process: one pose process a clip

    def ready(self) -> bool:
        """Answers once the actor is (again) running."""
        return True

    def analyse(self, path: Path, settings: BatchSettings) -> ClipResult:
        """Analyse one clip with this process's estimator (loaded by the first clip that needs it)."""
        _crash_once_if_asked(path)
        return _work(path, settings)


def _crash_once_if_asked(path: Path) -> None:
    """The test hook of :data:`CRASH_ONCE_ENV`: nothing unless that variable names a file."""
    marker = os.environ.get(CRASH_ONCE_ENV)
    if not marker:
        return
    try:  # O_EXCL: exactly one actor in the whole batch wins the marker and dies
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.write(fd, Path(path).name.encode())
    os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)


def _hipform_environment() -> dict[str, str]:
    """The submitting shell's ``HIPFORM_*`` settings, for the actors (a remote node has its own)."""
    return {k: v for k, v in os.environ.items() if k.startswith("HIPFORM_")}


def _connect(ray, address: str) -> bool:
    """Connect to the cluster at ``address`` (``"local"``: start one here); True if this call did.

    A Ray this process is already connected to is used as it is.
    """
    if ray.is_initialized():
        return False
    import logging

    _check_reachable(address)
    try:
        ray.init(
            address=address,
            logging_level=logging.WARNING,  # not Ray's start-up banner between the progress and the table
            log_to_driver=False,  # MediaPipe's log lines stay in the workers' log files
            **({"include_dashboard": False} if address == "local" else {}),
        )
    except (ConnectionError, ValueError, RuntimeError) as exc:
        raise ClusterUnavailableError(
            f"Could not reach the Ray cluster at '{address}' ({exc}). Start it with 'ray start --head' "
            "and give its address (host:6379), or 'auto' on a machine that joined it."
        ) from None
    return True


def _check_reachable(address: str) -> None:
    """Fail at once, in one sentence, when a ``host:port`` head does not answer.

    ``"local"``, ``"auto"`` and other forms are left to Ray.
    """
    import socket

    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or "://" in address:
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise ClusterUnavailableError(
            f"Could not reach the Ray cluster at '{address}' ({exc.strerror or exc}). Check that "
            "'ray start --head' runs there and that this machine can reach that port."
        ) from None


def run_batch_on_ray(
    clips: Sequence[str | Path],
    settings: BatchSettings | None = None,
    address: str = "local",
    workers: int | None = None,
    progress: BatchProgress | None = None,
) -> list[ClipResult]:
    """Analyse ``clips`` on a Ray cluster, as :func:`hipform.batch.run_batch` does here; results in order.

    Parameters
    ----------
    clips : the clips, each at the same path on every node.
    settings : what to do with every clip (as for the local batch).
    address : the cluster's head (``host:6379``), ``"auto"`` for the cluster this machine joined,
        or ``"local"`` to start a Ray here for this batch (stopped at the end).
    workers : actors (clips analysed at once); default one per CPU of the cluster, at most one per clip.
    progress : called here after each clip, in the order clips finish: (result, done, total).

    Raises
    ------
    ClusterUnavailableError
        Ray is not installed or the cluster cannot be reached.
    """
    settings = settings or BatchSettings()
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    ray = _import_ray()
    prepare_batch(settings)
    paths = [Path(p) for p in clips]
    # The actors' working folder is not this one: they get absolute paths, and the
    # results are given back with the paths as passed in.
    on_nodes = replace(
        settings,
        out_dir=None if settings.out_dir is None else Path(settings.out_dir).absolute(),
        cache_dir=None if settings.cache_dir is None else Path(settings.cache_dir).absolute(),
    )
    started_here = _connect(ray, address)
    try:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        n_actors = max(1, min(workers or cpus, len(paths)))
        worker_class = ray.remote(
            num_cpus=1,
            memory=ACTOR_MEMORY_BYTES,
            max_restarts=-1,  # a dead worker always comes back, so one bad clip cannot shrink the pool
            max_task_retries=CLIP_RETRIES,
        )(ClipWorker)
        env = {"env_vars": _hipform_environment()}
        actors = [worker_class.options(runtime_env=env).remote(on_nodes) for _ in range(n_actors)]
        try:
            results = _run_clips(ray, actors, paths, settings, on_nodes, progress)
        finally:
            for actor in actors:
                ray.kill(actor, no_restart=True)
    finally:
        if started_here:
            ray.shutdown()
    ordered = [results[i] for i in range(len(paths))]
    if settings.out_dir is not None:
        save_summary_csv(ordered, Path(settings.out_dir) / SUMMARY_CSV)
    return ordered


def _run_clips(
    ray, actors, paths: list[Path], settings: BatchSettings, on_nodes: BatchSettings, progress
) -> dict[int, ClipResult]:
    """Hand the clips to idle actors one at a time, and collect the results as they finish.

    ``on_nodes`` are the settings with absolute paths, for the actors; the results come back
    with the clips' paths and the report folder as in ``paths`` and ``settings``.
    """
    idle, waiting = list(actors), deque(range(len(paths)))
    clip_calls: dict[object, tuple[int, object]] = {}  # a clip in hand: its index and actor
    revivals: dict[object, object] = {}  # an actor Ray is restarting, back in the pool once ready
    results: dict[int, ClipResult] = {}
    while waiting or clip_calls:
        while waiting and idle:
            i, actor = waiting.popleft(), idle.pop()
            clip_calls[actor.analyse.remote(paths[i].absolute(), on_nodes)] = (i, actor)
        if not clip_calls and not revivals:  # every actor is gone for good: nothing can run the rest
            for i in waiting:
                results[i] = _crashed(paths[i])
            break
        [finished], _ = ray.wait([*clip_calls, *revivals], num_returns=1)
        if finished in revivals:
            actor = revivals.pop(finished)
            try:
                ray.get(finished)
                idle.append(actor)
            except ray.exceptions.RayActorError:  # it cannot come back (removed from the cluster)
                pass
            continue
        i, actor = clip_calls.pop(finished)
        try:
            results[i] = _as_passed(ray.get(finished), paths[i], settings)
            idle.append(actor)
        except ray.exceptions.RayActorError:  # it died with this clip again, after the retries
            results[i] = _crashed(paths[i])
            # Not given the next clip before Ray has restarted it: a call to an actor that is
            # restarting can fail without running, and would cost that clip its retries.
            revivals[actor.ready.options(max_task_retries=-1).remote()] = actor
        if progress is not None:
            progress(results[i], len(results), len(paths))
    return results


def _as_passed(result: ClipResult, path: Path, settings: BatchSettings) -> ClipResult:
    """``result`` with the clip's path and the report's folder as the caller gave them."""
    report = None if result.report_path is None else Path(settings.out_dir) / result.report_path.name
    return replace(result, path=path, report_path=report)
