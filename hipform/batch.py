"""Analyse a folder of clips with a pool of worker processes.

Each worker process loads the pose model once (one :class:`PoseEstimator`
per process, reset between clips) and analyses whole clips, so clips run in
parallel while each clip's frames stay in order. Landmarks go through the
cache (:mod:`hipform.cache`): analysing a folder again with another movement
skips the pose model. A clip that fails is reported with its one-sentence
reason; the others carry on.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from hipform.errors import HipformError
from hipform.pose import PoseEstimator, PoseOptions, check_model_available
from hipform.safe_write import check_outputs, output_write_error, whole_or_not_at_all, write_whole

#: File name endings taken as clips when a folder is scanned.
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi", ".gif")

SUMMARY_CSV = "batch_summary.csv"


@dataclass(frozen=True)
class BatchSettings:
    """What to do with every clip.

    Attributes
    ----------
    movement : ``"auto"`` or a movement name (see ``hipform.kinematics.MOVEMENTS``).
    out_dir : folder for one ``<clip name>.report.json`` per clip and
        :data:`SUMMARY_CSV`; None writes nothing.
    pose_options : pose model settings.
    use_cache : read and fill the landmark cache.
    cache_dir : cache folder (None: the default, see :mod:`hipform.cache`).
    exports : files for biomechanics tools written beside each report, by ending (``trc``,
        ``mot``, ``c3d``: :mod:`hipform.export`), e.g. ``<clip name>.trc``; needs ``out_dir``.
    """

    movement: str = "auto"
    out_dir: Path | None = None
    pose_options: PoseOptions = field(default_factory=PoseOptions)
    use_cache: bool = True
    cache_dir: Path | None = None
    exports: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        from hipform.export import EXPORT_FORMATS

        unknown = [f for f in self.exports if f not in EXPORT_FORMATS]
        if unknown:
            raise ValueError(f"unknown export format {unknown[0]!r}; choose from {', '.join(EXPORT_FORMATS)}")
        if self.exports and self.out_dir is None:
            raise ValueError("exports are written beside the reports: give out_dir too")


@dataclass(frozen=True)
class ClipResult:
    """How one clip went.

    Attributes
    ----------
    path : the clip.
    ok : analysed; when False, ``message`` says why in one sentence.
    message : the reason for a failure ('' when ok).
    exit_code : what ``hipform analyse`` would exit with for this clip (0 when ok).
    n_frames, duration_s : the clip (0 when it could not be read).
    seconds : wall time spent on the clip, in its worker.
    from_cache : landmarks came from the cache (the pose model did not run).
    movement : movement analysed ('' on failure); ``unsure: a or b`` / ``other`` when not judged.
    n_reps : reps (or steps) found.
    flags : number of faults flagged.
    flag_summary : e.g. ``"knee collapse ×2, pelvic drop ×1"`` (``"none"`` when clean).
    report_path : the JSON report written, if any.
    """

    path: Path
    ok: bool
    message: str = ""
    exit_code: int = 0
    n_frames: int = 0
    duration_s: float = 0.0
    seconds: float = 0.0
    from_cache: bool = False
    movement: str = ""
    n_reps: int = 0
    flags: int = 0
    flag_summary: str = ""
    report_path: Path | None = None

    @property
    def frames_per_s(self) -> float:
        """Frames analysed per second of wall time (0 when nothing was analysed)."""
        return self.n_frames / self.seconds if self.ok and self.seconds > 0 else 0.0


#: Called in the parent process after each clip: (result, clips done, clips in all).
BatchProgress = Callable[[ClipResult, int, int], None]


def find_clips(folder: str | Path) -> list[Path]:
    """Video files directly inside ``folder`` (by name ending), sorted by name; hidden files skipped.

    Raises
    ------
    HipformError
        If ``folder`` is missing, not a folder, or holds no video file.
    """
    folder = Path(folder)
    if not folder.exists():
        raise HipformError(f"Could not find the folder '{folder}'. Check the name.")
    if not folder.is_dir():
        raise HipformError(f"'{folder}' is a file, not a folder. Give the folder that holds the clips.")
    clips = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in VIDEO_SUFFIXES
    )
    if not clips:
        raise HipformError(
            f"No video files in '{folder}' (looked for {', '.join(VIDEO_SUFFIXES)}). Put the clips there."
        )
    return clips


def _flag_summary(flags: Sequence[object]) -> str:
    counts: dict[str, int] = {}
    for f in flags:
        name = str(getattr(f, "fault", "fault")).replace("_", " ")
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(f"{k} ×{v}" for k, v in counts.items()) or "none"


EstimatorSource = PoseEstimator | Callable[[], PoseEstimator] | None


def analyse_clip(
    path: Path, settings: BatchSettings, estimator: EstimatorSource = None, digest: str | None = None
) -> ClipResult:
    """Analyse one clip (pose from the cache or the model, then the kinematics).

    ``estimator`` is an open estimator to reuse, or a function giving one
    (called only when the pose model has to run), or None for a new one.
    ``digest`` is the clip's SHA-256 when already known (the file is not read
    again to hash it). Never raises for a problem with the clip: it comes back as a failed
    :class:`ClipResult` with the one-sentence reason.
    """
    from hipform.cache import LandmarkCache, cache_disabled, estimate_pose_cached, file_digest
    from hipform.judge import judge
    from hipform.limits import Limits, check_clip, check_long_enough
    from hipform.pose import estimate_pose

    t0 = time.perf_counter()
    path = Path(path)
    try:
        limits = Limits.from_env()
        check_clip(path, limits)  # the same size and length limits as `hipform analyse`
        guard = limits.frame_guard(path.name)  # for headers that understate the length
        if settings.use_cache and not cache_disabled():
            cache = LandmarkCache(settings.cache_dir)
            if digest is None and path.is_file():
                digest = file_digest(path)
            cached = cache.load(digest, settings.pose_options) if digest else None
            if cached is None and callable(estimator):
                estimator = estimator()
            got = estimate_pose_cached(
                path,
                settings.pose_options,
                cache=cache,
                digest=digest,
                estimator=None if callable(estimator) else estimator,
                progress=lambda done, _total: guard(done),
            )
            seq, hit = got.seq, got.from_cache
        else:
            est = estimator() if callable(estimator) else estimator
            seq = estimate_pose(path, settings.pose_options, estimator=est, progress=lambda d, _t: guard(d))
            hit = False
        check_long_enough(seq.n_frames, seq.duration_s, path.name)  # a photo: exit 6, as `hipform analyse`
        report = judge(seq, movement=settings.movement, source_name=path.name)
        report_path = None
        if settings.out_dir is not None:
            from hipform.report import save_report_json

            report_path = Path(settings.out_dir) / f"{path.name}.report.json"
            stem = Path(settings.out_dir) / path.name  # exports: <clip name>.trc … beside the report
            exports = {f"the .{fmt} file": Path(f"{stem}.{fmt}") for fmt in settings.exports}
            check_outputs([path], {"the report": report_path, **exports})  # a link of that name to the clip
            write_whole(report_path, lambda partial: save_report_json(report, partial))
            if settings.exports:
                from hipform.export import save_exports

                save_exports(seq, report, stem, settings.exports)
        return ClipResult(
            path=path,
            ok=True,
            n_frames=seq.n_frames,
            duration_s=seq.duration_s,
            seconds=time.perf_counter() - t0,
            from_cache=hit,
            movement=_movement_label(report),
            n_reps=len(report.reps),
            flags=len(report.flags),
            flag_summary=_flag_summary(report.flags),
            report_path=report_path,
        )
    except HipformError as exc:
        return ClipResult(
            path=path, ok=False, message=str(exc), exit_code=exc.exit_code, seconds=time.perf_counter() - t0
        )
    except Exception as exc:  # noqa: BLE001 - a bug in one clip must not stop the other clips
        return ClipResult(
            path=path,
            ok=False,
            message=f"internal error ({type(exc).__name__}: {exc}).",
            exit_code=1,
            seconds=time.perf_counter() - t0,
        )


# ------------------------------------------------------------- worker processes
_WORKER_ESTIMATOR: PoseEstimator | None = None
_WORKER_OPTIONS: PoseOptions | None = None


def _init_worker(options: PoseOptions) -> None:
    global _WORKER_OPTIONS
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ["HIPFORM_POSE_WORKERS"] = "1"  # the clips share the cores already: one pose process a clip
    _WORKER_OPTIONS = options


def _worker_estimator() -> PoseEstimator:
    """This process's estimator, loaded by the first clip the cache cannot answer."""
    global _WORKER_ESTIMATOR
    if _WORKER_ESTIMATOR is None:
        _WORKER_ESTIMATOR = PoseEstimator(_WORKER_OPTIONS)
    return _WORKER_ESTIMATOR


def _work(path: Path, settings: BatchSettings) -> ClipResult:
    return analyse_clip(path, settings, _worker_estimator)


def _crashed(path: Path) -> ClipResult:
    return ClipResult(
        path=path,
        ok=False,
        exit_code=1,
        message="the analysis process stopped unexpectedly (out of memory or a crash in the pose model).",
    )


def _pool(workers: int, settings: BatchSettings) -> ProcessPoolExecutor:
    # "spawn": a clean interpreter per worker, the same on every platform, and
    # safe with the threads MediaPipe and the decoder start.
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(settings.pose_options,),
    )


def run_batch(
    clips: Sequence[str | Path],
    settings: BatchSettings | None = None,
    workers: int = 1,
    progress: BatchProgress | None = None,
) -> list[ClipResult]:
    """Analyse ``clips`` with ``workers`` processes; results in the order of ``clips``.

    ``workers=1`` analyses in this process (no start-up cost). With more, each
    worker process keeps one pose estimator. If a worker dies (a crash in
    native code, out of memory), the clips it had in hand are tried again one
    by one in fresh processes, so only the clip at fault is reported as failed.
    When ``settings.out_dir`` is set, :data:`SUMMARY_CSV` is written there too.
    """
    settings = settings or BatchSettings()
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    prepare_batch(settings)
    paths = [Path(p) for p in clips]
    results: dict[int, ClipResult] = {}
    total = len(paths)

    def done(i: int, result: ClipResult) -> None:
        results[i] = result
        if progress is not None:
            progress(result, len(results), total)

    digests = _cached_digests(paths, settings) if workers > 1 and total > 1 else None
    if workers == 1 or total <= 1 or digests is not None:
        held: list[PoseEstimator] = []

        def estimator() -> PoseEstimator:  # loaded on the first clip that needs the model
            if not held:
                held.append(PoseEstimator(settings.pose_options))
            return held[0]

        try:
            for i, p in enumerate(paths):
                done(i, analyse_clip(p, settings, estimator, digest=(digests or {}).get(i)))
        finally:
            for est in held:
                est.close()
    else:
        retry: list[int] = []
        with _pool(min(workers, total), settings) as pool:
            futures: dict[Future, int] = {pool.submit(_work, p, settings): i for i, p in enumerate(paths)}
            for fut in as_completed(futures):
                i = futures[fut]
                try:
                    done(i, fut.result())
                except BrokenProcessPool:
                    retry.append(i)
        for i in sorted(retry):  # each alone, so one bad clip cannot take others down
            with _pool(1, settings) as pool:
                try:
                    done(i, pool.submit(_work, paths[i], settings).result())
                except BrokenProcessPool:
                    done(i, _crashed(paths[i]))
    ordered = [results[i] for i in range(total)]
    if settings.out_dir is not None:
        save_summary_csv(ordered, Path(settings.out_dir) / SUMMARY_CSV)
    return ordered


def prepare_batch(settings: BatchSettings) -> None:
    """Check once, before any clip, what every clip would otherwise fail on; make the output folder.

    Raises
    ------
    HipformError
        The pose model or the C3D library is missing, or ``settings.out_dir`` cannot be made
        (:class:`~hipform.errors.OutputWriteError`, exit 9).
    """
    check_model_available(settings.pose_options.model)  # here, not as a crash in every worker
    if "c3d" in settings.exports:  # likewise: not one failure per clip
        from hipform.export import require_c3d

        require_c3d()
    if settings.out_dir is not None:
        try:
            Path(settings.out_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # read-only, no permission, a file of that name: one sentence, exit 9
            raise output_write_error(settings.out_dir, exc) from None


def _cached_digests(paths: Sequence[Path], settings: BatchSettings) -> dict[int, str] | None:
    """The clips' SHA-256 (by position) when the landmarks of every clip are in the cache, else None.

    Then only the kinematics are left, well under a second a clip, and starting worker processes
    (each loading numpy, SciPy and MediaPipe, 10-15 s on 2 cores) would cost more than the pool
    saves; the digests are handed on so no clip is read twice.
    """
    from hipform.cache import LandmarkCache, cache_disabled, file_digest

    if not settings.use_cache or cache_disabled():
        return None
    cache = LandmarkCache(settings.cache_dir)
    digests: dict[int, str] = {}
    try:
        for i, p in enumerate(paths):
            digests[i] = file_digest(p)
            if not cache.path_for(digests[i], settings.pose_options).is_file():
                return None
    except OSError:  # a clip that cannot be read: let the workers report it
        return None
    return digests


def save_summary_csv(results: Sequence[ClipResult], path: str | Path) -> Path:
    """One row per clip: name, status, reason, frames, seconds, reps, flags (written whole or not at all).

    Raises
    ------
    OutputWriteError
        If the file cannot be written (full disk, read-only, no permission, missing folder).
    """
    path = Path(path)
    with whole_or_not_at_all(path) as partial, partial.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "clip",
                "status",
                "reason",
                "frames",
                "duration_s",
                "seconds",
                "frames_per_s",
                "from_cache",
                "movement",
                "reps",
                "flags",
                "flag_summary",
                "report",
            ]
        )
        for r in results:
            w.writerow(
                [
                    r.path.name,
                    "ok" if r.ok else "failed",
                    r.message,
                    r.n_frames,
                    f"{r.duration_s:.2f}",
                    f"{r.seconds:.2f}",
                    f"{r.frames_per_s:.1f}",
                    int(r.from_cache),
                    r.movement,
                    r.n_reps,
                    r.flags,
                    r.flag_summary,
                    r.report_path.name if r.report_path else "",
                ]
            )
    return path


def summary_table(results: Sequence[ClipResult], wall_s: float | None = None) -> list[str]:
    """Plain-text lines: one row per clip, then the totals."""
    name_w = max([len("clip")] + [len(r.path.name) for r in results])
    lines = [f"{'clip':<{name_w}}  {'status':<7}{'frames':>7}{'fps':>7}  {'movement':<18}{'reps':>5}  flags"]
    for r in results:
        if r.ok:
            fps = "cache" if r.from_cache else f"{r.frames_per_s:.0f}"
            lines.append(
                f"{r.path.name:<{name_w}}  {'ok':<7}{r.n_frames:>7}{fps:>7}  {r.movement:<18}"
                f"{r.n_reps:>5}  {r.flag_summary}"
            )
        else:
            lines.append(f"{r.path.name:<{name_w}}  {'FAILED':<7}  {r.message}")
    ok = [r for r in results if r.ok]
    frames = sum(r.n_frames for r in ok)
    total = f"{len(ok)} of {len(results)} clips analysed, {frames} frames"
    if wall_s:
        total += f" in {wall_s:.1f} s ({frames / wall_s:.0f} frames/s)"
    lines.append(total)
    return lines


def _movement_label(report) -> str:
    """The movement judged, or why none was: ``unsure: squat or single-leg-squat``, ``other``."""
    mv = report.movement
    if mv.judged:
        return mv.name
    return "other" if mv.status == "other" else "unsure: " + " or ".join(mv.candidates)
