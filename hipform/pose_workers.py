"""Both cores for one clip: the pose model run by several processes, each on a stretch of the clip.

BlazePose in MediaPipe's legacy solution keeps about one core busy, and
tracking needs consecutive frames, so a clip cannot be spread frame by frame.
Instead it is cut into stretches of time, one per worker, and each worker runs
its own pose graph in tracking mode (``model_complexity=1``) over its stretch:

* **This process takes the first stretch** with the estimator it already has,
  starting at once; the other workers are separate processes (a fork server
  where the platform has one, else ``spawn``: MediaPipe's and the decoder's
  threads do not survive ``fork``). Each opens the clip itself, seeks to the
  keyframe before its stretch and decodes forward (:class:`~hipform.video.VideoStream`
  ``start_s``): frames are never sent between processes, only landmarks.
  Since a worker needs time to start (about a second from a cold fork server:
  imports and the model; well under one from a warm one), the first stretch
  is longer by :data:`START_FRAMES` frames plus the overlap below, so all
  finish at about the same time.
* **Overlap.** Every later worker starts tracking :data:`OVERLAP_S` before its
  stretch: the person detector finds the person again there and MediaPipe's
  landmark smoothing settles before the frames that count.
* **Seam.** Within the overlap both workers have landmarks for the same
  frames, matched exactly by their presentation times. The seam is the frame
  where they agree best: the mean distance between the two workers' image
  landmarks (x, y, pixels, all 33) is smallest there (0 where neither finds
  anyone; a frame where only one finds someone is never chosen while another
  can be), the later frame on a tie, and never the later worker's first two
  frames (its scene-cut evidence compares each frame with the two before).
  Frames before the seam come from the earlier worker, from the seam on from
  the later one. The disagreement at each seam is kept in
  ``PoseSequence.meta["pose_workers"]``.
* **The rest of the pass joins exactly.** Scene-cut evidence is a function of
  the decoded pictures, which a seek reproduces bit for bit, so it is joined at
  the seams unchanged. The look for another person runs on fixed time slots
  (:class:`hipform.pose._OtherPersonLook`): each slot keeps the look of the
  worker whose frames hold the slot's start.

After a seam the later worker's tracker follows its own path: it does not
converge on the earlier one's (started 1-4 s later on the same pixels, still
1-12 px apart after 30-90 frames), so a longer overlap or another seam would
not bring them together. Mostly they stay within a pixel or a few, and the
judgement is the single worker's (34 of 38 sample and real clips); on hard
frames one tracker can lose or swap a leg the other kept, and a value lying on
a severity limit can cross it, so several workers are opt-in
(:func:`hipform.settings.pose_workers`; ``benchmarks/pose_workers_agreement.py``,
``docs/performance.md``).

When a stretch cannot be read on its own — the container cannot seek, frames
have no timestamps, the frames at an overlap do not match, or the decoder
stops at damage inside a later stretch — the clip is tracked by this process
alone (from where it is when it learns this early enough, else from the
start), so the result, including the warning naming the damaged frame, is the
single worker's. A problem of the user's in a worker (a clip over a limit)
surfaces as the same :class:`~hipform.errors.HipformError` the single-worker
path raises; a worker that dies (killed, out of memory) gives a one-sentence
error, never a hang.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import resource
import signal
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from multiprocessing.connection import Connection, wait
from pathlib import Path

import numpy as np

from hipform.errors import HipformError
from hipform.limits import Limits
from hipform.pose import (
    PoseEstimator,
    PoseOptions,
    Progress,
    _OtherPersonLook,
    _Pass,
    _Rows,
    _track,
    open_for_pose,
)
from hipform.shots import CutDetector
from hipform.video import Frame, ReadStatus, SeekError, VideoInfo

#: Seconds of clip each later worker tracks before its stretch, to find the person
#: and settle before the frames that count; the seam is chosen within them.
OVERLAP_S = 1.0

#: Shortest stretch a later worker gets, seconds. With the first stretch's head
#: start (:data:`OVERLAP_S` and :data:`START_FRAMES`), clips under about 6.5 s
#: (at 30 fps) are tracked by one worker: starting another would save little or nothing.
MIN_STRETCH_S = 2.0

#: Frames of pose work a worker's start-up is worth (fork from the fork server,
#: model load; the first start of the fork server adds the imports, ~1 s of
#: CPU): the first stretch, tracked by this process at once, is longer by these.
START_FRAMES = 45

#: Largest mean landmark distance at a seam, as a share of the frame's longer side
#: (17 px on an 854-pixel frame). Two trackers following the same person agree to
#: within a pixel on clean clips and drift 3-25 px apart on hard ones (a barbell
#: hiding the body: the size of the change any resampling of the frames makes,
#: docs/performance.md); a tracker that found someone else is 10-50% of the frame
#: away. A worker that disagrees more everywhere in its overlap is stopped and its
#: stretch tracked on by the worker before it.
SEAM_AGREEMENT = 0.02

#: The later worker's first frames that cannot be a seam (its scene-cut
#: evidence compares each frame with the two before it).
_SEAM_FIRST = 2

#: How often the workers are checked while this process waits for them, seconds.
_POLL_S = 0.1


class _CannotSplit(Exception):
    """The clip cannot be tracked in stretches: track it in one process."""


@dataclass(frozen=True)
class Stretch:
    """The part of a clip one worker tracks (seconds from the clip's first frame).

    Attributes
    ----------
    index : position among the stretches, from 0.
    read_from_s : where the worker starts tracking (``own_from_s`` less the overlap).
    own_from_s : where the stretch starts: the worker's frames from here on count.
    stop_s : the first time past the stretch (``inf`` for the last: to the clip's end).
    """

    index: int
    read_from_s: float
    own_from_s: float
    stop_s: float


def plan_stretches(length_s: float, fps: float, workers: int) -> list[Stretch]:
    """Cut a clip of ``length_s`` seconds into stretches for at most ``workers`` workers.

    As many workers as the clip allows with every stretch at least
    :data:`MIN_STRETCH_S` long; the first stretch is longer than the others by
    the overlap and :data:`START_FRAMES` (see the module's notes), so that all
    workers end together.
    """
    head_start_s = OVERLAP_S + START_FRAMES / fps if fps > 0 else OVERLAP_S
    n = max(1, min(workers, int((length_s - head_start_s) // MIN_STRETCH_S)))
    if n == 1 or not math.isfinite(length_s):
        return [Stretch(0, 0.0, 0.0, math.inf)]
    rest_s = (length_s - head_start_s) / n
    starts = [0.0] + [head_start_s + k * rest_s for k in range(1, n)]
    stops = starts[1:] + [math.inf]
    return [
        Stretch(k, max(0.0, start - OVERLAP_S) if k else 0.0, start, stop)
        for k, (start, stop) in enumerate(zip(starts, stops, strict=True))
    ]


def clip_length_s(info: VideoInfo) -> float:
    """The clip's length as its header states it (from the frame count if no duration), 0 if unknown."""
    if info.duration_s > 0:
        return info.duration_s
    return info.estimated_frames / info.fps if info.fps > 0 else 0.0


@dataclass(frozen=True, eq=False)
class _Segment:
    """What one worker found in its stretch (sent back to this process: arrays only, no frames).

    ``looked`` and ``others`` are positions among the segment's frames: the
    frames the look for another person ran on, and those where it found one
    (``other_landmarks`` theirs).
    """

    t_s: np.ndarray
    landmarks_px: np.ndarray
    visibility: np.ndarray
    world_m: np.ndarray
    pixel_change: np.ndarray | None
    hist_change: np.ndarray | None
    skip_one_change: np.ndarray | None
    looked: np.ndarray
    others: np.ndarray
    other_landmarks: np.ndarray
    stopped_early: bool
    peak_rss_mb: float

    @classmethod
    def of(cls, run: _Pass) -> _Segment:
        lm, vis, world, t = run.rows.arrays()
        cuts, look = run.cuts, run.look
        changes = (
            (None, None, None)
            if cuts is None
            else tuple(np.asarray(v) for v in (cuts.pixel_change, cuts.hist_change, cuts.skip_one_change))
        )
        return cls(
            t_s=t,
            landmarks_px=lm,
            visibility=vis,
            world_m=world,
            pixel_change=changes[0],
            hist_change=changes[1],
            skip_one_change=changes[2],
            looked=np.asarray(look.frames_checked if look else [], np.intp),
            others=np.asarray(look.frames if look else [], np.intp),
            other_landmarks=np.asarray(look.landmarks if look else [], np.float32).reshape(-1, 33, 2),
            stopped_early=run.status.stopped_early,
            peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        )

    def __len__(self) -> int:
        return int(self.t_s.shape[0])


def _context() -> multiprocessing.context.BaseContext:
    """A fork server that has hipform's pose modules and MediaPipe imported already, else ``spawn``.

    The fork server is started once per process, on first use; later clips fork
    their workers from it in a fraction of the time a fresh interpreter takes.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    os.environ.setdefault("GLOG_minloglevel", "2")  # the fork server imports MediaPipe with this set
    context.set_forkserver_preload([__name__, "mediapipe"])
    return context


def _work(
    conn: Connection,
    path: str,
    options: PoseOptions,
    stretch: Stretch,
    limits: Limits,
    checks_per_s: float,
    mask_box_px: tuple[float, float, float, float] | None,
    owned_frames: multiprocessing.sharedctypes.Synchronized,
) -> None:
    """A worker process: track ``stretch`` and send back its :class:`_Segment` (or why it could not).

    Its landmarks over the overlap go first, as soon as they are found, for the
    parent to decide whether this worker follows the person it follows.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops the workers
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # MediaPipe's C++ log lines: the parent reports whatever goes wrong here
    try:
        try:
            video = open_for_pose(path, options, ReadStatus(), start_s=stretch.read_from_s, limits=limits)
        except SeekError as exc:
            conn.send(("unseekable", str(exc)))
            return
        with video, PoseEstimator(options) as estimator:
            look = None
            if checks_per_s > 0:
                look = _OtherPersonLook(estimator.single_image_companion(), checks_per_s)
            overlap_sent = [False]

            def until(run: _Pass, frame: Frame) -> bool:
                if frame.t_s >= stretch.own_from_s and not overlap_sent[0]:
                    lm, _, _, t = run.rows.arrays()
                    conn.send(("overlap", (t, lm)))
                    overlap_sent[0] = True
                return frame.t_s >= stretch.stop_s

            def count(_run: _Pass, frame: Frame) -> None:
                if (
                    frame.t_s >= stretch.own_from_s
                ):  # the overlap is not progress: the earlier worker counts it
                    owned_frames.value += 1

            run = _track(video, estimator, look, mask_box_px, after_frame=count, until=until)
        conn.send(("done", _Segment.of(run)))
    except HipformError as exc:
        conn.send(("error", exc))
    except BaseException:  # noqa: BLE001 - a bug: its traceback goes to the parent, which raises it
        conn.send(("bug", traceback.format_exc()))
    finally:
        conn.close()


class _Team:
    """The worker processes tracking the later stretches of one clip (by stretch index)."""

    def __init__(
        self,
        path: Path,
        options: PoseOptions,
        stretches: list[Stretch],
        limits: Limits,
        checks_per_s: float,
        mask_box_px: tuple[float, float, float, float] | None,
    ) -> None:
        context = _context()
        self.path = path
        self.stretches = {s.index: s for s in stretches}
        self.overlaps: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.segments: dict[int, _Segment] = {}
        self.unseekable = False
        self._pending: dict[int, tuple[Connection, multiprocessing.process.BaseProcess]] = {}
        self._counters: dict[int, object] = {}
        try:
            for stretch in stretches:
                receive, send = context.Pipe(duplex=False)
                counter = context.RawValue("q", 0)
                process = context.Process(
                    target=_work,
                    args=(send, str(path), options, stretch, limits, checks_per_s, mask_box_px, counter),
                    name=f"hipform-pose-{stretch.index}",
                    daemon=True,
                )
                process.start()
                send.close()  # only the worker holds its end: a dead worker reads as end of file
                self._pending[stretch.index] = (receive, process)
                self._counters[stretch.index] = counter
        except BaseException:
            self.close()
            raise

    def frames_done(self) -> int:
        """Frames of their own stretches the workers still in the team have tracked so far."""
        return sum(c.value for c in self._counters.values())

    def check(self, timeout_s: float = 0.0) -> None:
        """Take in what the workers sent (waiting up to ``timeout_s`` for something).

        Raises
        ------
        HipformError
            A worker met a problem with the clip (the same error one worker
            would raise), or died.
        RuntimeError
            A worker failed with a bug (its traceback in the message).
        """
        if not self._pending:
            return
        handles = [h for conn, proc in self._pending.values() for h in (conn, proc.sentinel)]
        if not wait(handles, timeout_s):
            return
        for index, (conn, process) in list(self._pending.items()):
            while conn.poll():
                try:
                    kind, payload = conn.recv()
                except EOFError:  # it closed its end without a word: it died
                    raise self._died(index, process) from None
                if self._take(index, kind, payload):
                    break
            else:
                if not process.is_alive():
                    raise self._died(index, process)

    def _take(self, index: int, kind: str, payload: object) -> bool:
        """Handle one message; True when it is the worker's last."""
        if kind == "overlap":
            self.overlaps[index] = payload
            return False
        conn, process = self._pending.pop(index)
        conn.close()
        process.join(timeout=5)
        if kind == "done":
            self.segments[index] = payload
        elif kind == "unseekable":
            self.unseekable = True
        elif kind == "error":
            raise payload
        else:
            raise RuntimeError(f"a pose worker process failed:\n{payload}")
        return True

    def _died(self, index: int, process: multiprocessing.process.BaseProcess) -> HipformError:
        process.join(timeout=1)
        stretch = self.stretches[index]
        end = "the end" if math.isinf(stretch.stop_s) else f"{stretch.stop_s:.1f} s"
        code = process.exitcode or 0
        how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        return HipformError(
            f"The pose worker process tracking '{self.path.name}' from {stretch.own_from_s:.1f} s to {end} "
            f"stopped unexpectedly ({how}: killed, out of memory, or a crash); analyse the clip again, or "
            "with one worker (--workers 1 or HIPFORM_POSE_WORKERS=1)."
        )

    def overlap_of(self, index: int, waiting: Callable[[], None]) -> tuple[np.ndarray, np.ndarray] | None:
        """Worker ``index``'s (times, image landmarks) over its overlap, once found; None: it cannot read.

        ``waiting`` is called between checks (progress).
        """
        while index not in self.overlaps and index not in self.segments and not self.unseekable:
            self.check(_POLL_S)
            waiting()
        if index in self.overlaps:
            return self.overlaps[index]
        if index in self.segments:  # the clip ended inside its overlap: all it found is the overlap
            return self.segments[index].t_s, self.segments[index].landmarks_px
        return None

    def drop(self, index: int) -> None:
        """Stop worker ``index``: another tracks its stretch."""
        entry = self._pending.pop(index, None)
        self._counters.pop(index, None)
        self.segments.pop(index, None)
        if entry is not None:
            conn, process = entry
            process.kill()
            process.join(timeout=5)
            conn.close()

    def wait_all(self, waiting: Callable[[], None]) -> None:
        """Wait for every worker still in the team, until all have sent their stretch or one cannot."""
        while self._pending and not self.unseekable:
            self.check(_POLL_S)
            waiting()

    def close(self) -> None:
        """Stop the workers still running (an error elsewhere, Ctrl-C) and wait for them to go."""
        for index in list(self._pending):
            self.drop(index)
        self._counters.clear()


def track_in_segments(
    path: str | Path,
    options: PoseOptions,
    estimator: PoseEstimator,
    progress: Progress | None,
    workers: int,
    look: _OtherPersonLook | None = None,
    mask_box_px: tuple[float, float, float, float] | None = None,
) -> _Pass:
    """:func:`hipform.pose._track` over the whole clip by up to ``workers`` workers (see the module's notes).

    This process tracks the first stretch with ``estimator`` (and ``look``);
    the result is one pass over every frame, as one worker's would be.
    """
    path = Path(path).resolve()  # the workers run in the fork server's folder
    limits = Limits.from_env()  # theirs is the fork server's environment: they get this process's limits
    with open_for_pose(path, options, ReadStatus(), limits=limits) as video:
        info = video.info
        expected = info.estimated_frames
        stretches = plan_stretches(clip_length_s(info), info.fps, workers)
        agree_px = SEAM_AGREEMENT * max(info.width_px, info.height_px)
        team: _Team | None = None

        def report(run: _Pass, _frame: Frame | None = None) -> None:
            if progress is not None:
                done = run.rows.n + (team.frames_done() if team is not None else 0)
                progress(done, max(expected, done))

        if len(stretches) == 1:
            return _track(video, estimator, look, mask_box_px, after_frame=report)
        checks_per_s = look.checks_per_s if look is not None else 0.0
        team = _Team(path, options, stretches[1:], limits, checks_per_s, mask_box_px)
        try:
            taken = [stretches[0]]  # the stretches joined: this process's, then the workers' that follow it
            next_worker = [1]

            def after_frame(run: _Pass, frame: Frame) -> None:
                team.check()
                report(run)

            def until(run: _Pass, frame: Frame) -> bool:
                """At the next worker's stretch: stop if it follows whom this process follows, else go on."""
                while next_worker[0] < len(stretches) and frame.t_s >= stretches[next_worker[0]].own_from_s:
                    later = team.overlap_of(next_worker[0], lambda: report(run))
                    if later is None:  # the clip cannot be read from a point in time: read on to its end
                        team.close()
                        next_worker[0] = len(stretches)
                        break
                    lm, _, _, t = run.rows.arrays()
                    if _seam_agrees(t, lm, *later, agree_px):
                        taken.extend(stretches[next_worker[0] :])
                        return True
                    team.drop(next_worker[0])  # it found someone else, or another pose: take its stretch
                    next_worker[0] += 1
                return False

            first = _track(video, estimator, look, mask_box_px, after_frame=after_frame, until=until)
            if len(taken) == 1 or first.status.stopped_early:  # it read to the end or to damage
                return first
            team.wait_all(lambda: report(first))
            segments = None
            if not team.unseekable:
                segments = [_Segment.of(first)] + [team.segments[s.index] for s in taken[1:]]
        finally:
            team.close()
    try:
        if segments is None:
            raise _CannotSplit
        return _joined(first, segments, taken, look, agree_px)
    except _CannotSplit:
        estimator.reset()
        again = None if look is None else _OtherPersonLook(look._estimator, look.checks_per_s)
        team = None
        with open_for_pose(path, options, ReadStatus(), limits=limits) as video:
            return _track(video, estimator, again, mask_box_px, after_frame=report)


def _seam_agrees(
    earlier_t: np.ndarray, earlier_lm: np.ndarray, later_t: np.ndarray, later_lm: np.ndarray, agree_px: float
) -> bool:
    """Whether a worker's overlap joins the earlier one's within ``agree_px`` (see :func:`choose_seam`)."""
    try:
        return choose_seam(earlier_t, earlier_lm, later_t, later_lm)[2] <= agree_px
    except _CannotSplit:
        return False


def disagreement_px(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(T,) how far two trackers' image landmarks ((T, 33, ≥2) pixels, NaN rows: nobody) are apart.

    The mean distance over the 33 landmarks, in pixels; 0 where neither found
    anyone, infinite where only one did.
    """
    found_a = np.isfinite(a[:, :, 0]).any(axis=1)
    found_b = np.isfinite(b[:, :, 0]).any(axis=1)
    distance = np.linalg.norm(a[:, :, :2] - b[:, :, :2], axis=2).mean(axis=1)
    out = np.where(found_a & found_b, np.nan_to_num(distance, nan=np.inf), np.inf)
    out[~found_a & ~found_b] = 0.0
    return out


def choose_seam(
    earlier_t: np.ndarray, earlier_lm: np.ndarray, later_t: np.ndarray, later_lm: np.ndarray
) -> tuple[int, int, float]:
    """Where a later worker takes over from an earlier one, and how much they disagree there.

    Parameters
    ----------
    earlier_t, earlier_lm, later_t, later_lm : each worker's frame times (T,)
        and image landmarks (T, 33, 3), in reading order.

    Returns
    -------
    (start, seam, disagreement)
        ``start``: the position among the earlier worker's frames of the later
        one's first frame; ``seam``: the position among the later worker's
        frames of its first frame kept (frames before it come from the earlier
        one); the disagreement there (:func:`disagreement_px`), pixels.

    Raises
    ------
    _CannotSplit
        The frames of the overlap are not the same in both (by presentation time).
    """
    if not len(later_t) or not len(earlier_t):
        raise _CannotSplit
    start = int(np.searchsorted(earlier_t, later_t[0]))
    overlap = len(earlier_t) - start
    if overlap <= _SEAM_FIRST or overlap > len(later_t):
        raise _CannotSplit
    if not np.array_equal(earlier_t[start:], later_t[:overlap]):  # the same frames, exactly
        raise _CannotSplit
    cost = disagreement_px(earlier_lm[start:], later_lm[:overlap])
    cost[:_SEAM_FIRST] = np.nan
    candidates = np.flatnonzero(cost == np.nanmin(cost))  # NaN never equals: the first frames are out
    seam = int(candidates[-1])
    return start, seam, float(cost[seam])


def _joined(
    first: _Pass,
    segments: list[_Segment],
    stretches: list[Stretch],
    look: _OtherPersonLook | None,
    agree_px: float,
) -> _Pass:
    """One pass over the clip from the workers' segments (see the module's notes).

    Raises
    ------
    _CannotSplit
        A later stretch stopped at damage, or the segments do not join exactly
        (two workers that disagree by more than ``agree_px`` everywhere in their
        overlap, between two worker processes: this process checked its own seam).
    """
    if any(s.stopped_early for s in segments[1:]):  # the read from the start reports where the damage is
        raise _CannotSplit
    while len(segments) > 1 and not len(segments[-1]):  # the clip ended before these stretches
        segments = segments[:-1]
    offsets, seams, kept = [0], [], []  # clip position of each segment's first frame; where each takes over
    for earlier, later in pairwise(segments):
        start, seam, cost = choose_seam(earlier.t_s, earlier.landmarks_px, later.t_s, later.landmarks_px)
        if cost > agree_px:
            raise _CannotSplit
        offsets.append(offsets[-1] + start)
        seams.append(offsets[-1] + seam)
        kept.append(cost)
    if any(later <= earlier for earlier, later in pairwise([0, *seams])):  # a stretch left with no frame
        raise _CannotSplit
    bounds = [0, *seams, None]
    pieces = [
        slice(bounds[k] - offsets[k], None if bounds[k + 1] is None else bounds[k + 1] - offsets[k])
        for k in range(len(segments))
    ]

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(s, name)[piece] for s, piece in zip(segments, pieces, strict=True)])

    t_s = joined("t_s")
    if np.any(np.diff(t_s) <= 0):
        raise _CannotSplit
    rows = _Rows.of(joined("landmarks_px"), joined("visibility"), joined("world_m"), t_s)
    cuts = None
    if first.cuts is not None:
        cuts = CutDetector()
        cuts.pixel_change = joined("pixel_change").tolist()
        cuts.hist_change = joined("hist_change").tolist()
        cuts.skip_one_change = joined("skip_one_change").tolist()
    if look is not None:
        _join_looks(look, segments, offsets, seams, t_s)
    info = {
        "workers": len(segments),
        "stretches_s": [
            [s.read_from_s, s.own_from_s, None if math.isinf(s.stop_s) else s.stop_s] for s in stretches
        ],
        "seam_frames": seams,
        "seam_disagreement_px": [round(c, 3) for c in kept],
        "overlap_frames": [[offsets[k + 1], offsets[k] + len(segments[k]) - 1] for k in range(len(seams))],
        "peak_rss_mb": [round(s.peak_rss_mb, 1) for s in segments],
    }
    return _Pass(first.info, first.status, rows, cuts, look, seams=info)


def _join_looks(
    look: _OtherPersonLook, segments: list[_Segment], offsets: list[int], seams: list[int], t_s: np.ndarray
) -> None:
    """Fill ``look`` with one look per time slot: that of the segment holding the slot's first frame.

    When that segment did not look in the slot (nobody tracked there in its
    view), the look of a segment that did, on a frame it holds, is taken.
    """
    bounds = np.asarray([0, *seams, len(t_s)])
    holder = (
        np.searchsorted(bounds, np.arange(len(t_s)), side="right") - 1
    )  # segment each clip frame comes from
    slots = np.floor(t_s * look.checks_per_s).astype(np.int64)
    slot_start = {int(s): int(f) for f, s in reversed(list(enumerate(slots)))}
    found: dict[
        int, dict[int, tuple[int, np.ndarray | None]]
    ] = {}  # slot → segment → (frame, other's landmarks)
    for k, seg in enumerate(segments):
        other_at = {int(f): lm for f, lm in zip(seg.others, seg.other_landmarks, strict=True)}
        for f_local in seg.looked:
            f = offsets[k] + int(f_local)
            if f < len(t_s):
                found.setdefault(int(slots[f]), {})[k] = (f, other_at.get(int(f_local)))
    look.frames_checked, look.frames, look.landmarks = [], [], []
    for slot in sorted(found):
        by_segment = found[slot]
        owner = int(holder[slot_start[slot]])
        choice = by_segment.get(owner)
        if choice is None:
            choice = next((c for k, c in by_segment.items() if holder[c[0]] == k), None)
        if choice is None:
            continue
        frame, other = choice
        look.frames_checked.append(frame)
        if other is not None:
            look.frames.append(frame)
            look.landmarks.append(other)
