"""One analysis from start to finish: video file → pose → report → annotated video.

This is the single code path the app (upload, bundled sample, webcam
recording) and the command line share, so a clip gives the same result
wherever it is analysed. Nothing here imports Streamlit.

Stages, reported through the progress callback as ``(stage, done, total)``:

``pose``
    MediaPipe on every frame (most of the time).
``annotate``
    the annotated H.264 video with flagged joints highlighted.
``frames``
    one still per flag at its worst frame, with the measurement lines drawn.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from hipform.annotate import FLAG_RGB, Highlight, annotate_video, draw_pose
from hipform.cache import estimate_pose_cached, file_digest
from hipform.kinematics.movements import MOVEMENTS
from hipform.landmarks import Landmark
from hipform.limits import Limits, check_long_enough
from hipform.pose import PoseOptions
from hipform.report import Flag, Report
from hipform.sequence import PoseSequence
from hipform.video import VideoInfo, iter_frames, probe_video

#: Progress callback: (stage, frames done, frames expected or 0 when unknown).
StageProgress = Callable[[str, int, int], None]

#: Rough share of the total time each stage takes (for one progress bar over all stages).
STAGE_WEIGHTS = {"pose": 0.78, "annotate": 0.2, "frames": 0.02}

#: Movements the user can name; "auto" lets hipform recognise it.
MOVEMENT_CHOICES = ("auto", *MOVEMENTS)
#: View hints the user can give; None = let hipform find the view.
VIEW_HINTS = (None, "front", "rear", "side")


@dataclass(frozen=True)
class AnalysisSettings:
    """What the user chose.

    Attributes
    ----------
    movement : ``"auto"`` or one of :data:`MOVEMENT_CHOICES`.
    view_hint : ``"front"``, ``"rear"``, ``"side"`` or None (find it from the clip).
    annotate : write the annotated video.
    annotated_max_side_px : longer side of the annotated video, pixels.
    """

    movement: str = "auto"
    view_hint: str | None = None
    annotate: bool = True
    annotated_max_side_px: int = 960

    def __post_init__(self) -> None:
        if self.movement not in MOVEMENT_CHOICES:
            raise ValueError(f"movement must be one of {', '.join(MOVEMENT_CHOICES)}; got {self.movement!r}")
        if self.view_hint not in VIEW_HINTS:
            raise ValueError(f"view_hint must be one of {VIEW_HINTS}; got {self.view_hint!r}")
        if self.annotated_max_side_px < 64:
            raise ValueError(f"annotated_max_side_px must be at least 64, got {self.annotated_max_side_px}")

    @property
    def key(self) -> str:
        """Short stable text naming these settings (for cache keys and file names)."""
        annotate = "ann" if self.annotate else "noann"
        return f"{self.movement}-{self.view_hint or 'anyview'}-{annotate}-{self.annotated_max_side_px}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "movement": self.movement,
            "view_hint": self.view_hint,
            "annotate": self.annotate,
            "annotated_max_side_px": self.annotated_max_side_px,
        }


@dataclass(frozen=True, eq=False)
class AnalysisResult:
    """Everything one analysis produced.

    Attributes
    ----------
    source_name : the clip's file name as the user knows it.
    file_sha256 : hex SHA-256 of the clip's bytes.
    settings : what the user chose.
    video : the clip's header (size, rotation, fps, codec…).
    seq : landmarks of every frame.
    report : what hipform found.
    annotated_path : the annotated H.264 MP4, or None when not written.
    flag_frames : one JPEG (bytes) per flag of ``report.flags``, same order: the
        flag's worst frame with its measurement lines drawn; None where the
        frame could not be read.
    timings_s : seconds spent per stage.
    """

    source_name: str
    file_sha256: str
    settings: AnalysisSettings
    video: VideoInfo
    seq: PoseSequence
    report: Report
    annotated_path: Path | None
    flag_frames: tuple[bytes | None, ...] = ()
    timings_s: dict[str, float] = field(default_factory=dict)


# ----------------------------------------------------------------- highlights
L = Landmark
_SIDE_PREFIX = {"left": "LEFT_", "right": "RIGHT_"}


def _lm(side: str, name: str) -> Landmark:
    return Landmark[_SIDE_PREFIX[side] + name]


def flag_marks(flag: Flag) -> tuple[tuple[Landmark, ...], tuple[tuple[Landmark, Landmark], ...]]:
    """Joints to circle and measurement lines to draw for a flag.

    The lines are the segments the measure is built from (biomechanics.md):
    thigh and shank for the knee angles, knee to toes for the knee over the
    toes, the pelvis line for pelvic drop, shoulder–hip–knee for the back
    measures.
    """
    sides = [flag.side] if flag.side in _SIDE_PREFIX else ["left", "right"]
    joints: list[Landmark] = []
    lines: list[tuple[Landmark, Landmark]] = []
    for s in sides:
        hip, knee, ankle, shoulder = _lm(s, "HIP"), _lm(s, "KNEE"), _lm(s, "ANKLE"), _lm(s, "SHOULDER")
        if flag.measure in ("fppa_deg", "hip_adduction_deg"):
            joints.append(knee)
            lines += [(hip, knee), (knee, ankle)]
        elif flag.measure == "knee_separation_rel":
            joints.append(knee)
            lines.append((knee, ankle))
        elif flag.measure == "knee_toe_ratio":
            joints.append(knee)
            lines.append((knee, _lm(s, "FOOT_INDEX")))
        elif flag.measure == "knee_medial_shift_rel":  # the knee over its own foot
            joints.append(knee)
            lines += [(knee, _lm(s, "FOOT_INDEX")), (_lm(s, "HEEL"), _lm(s, "FOOT_INDEX"))]
        elif flag.measure == "pelvic_drop_deg":
            joints.append(hip)
        elif flag.measure in ("bridge_hip_line_deg", "thigh_past_trunk_deg"):
            joints.append(hip)
            lines += [(shoulder, hip), (hip, knee)]
        elif flag.measure == "trunk_line_change_deg":
            joints.append(hip)
            lines.append((shoulder, hip))
        else:  # a measure this table does not know yet: circle the hip, draw nothing misleading
            joints.append(hip)
    if flag.measure == "knee_separation_rel":
        lines += [(L.LEFT_KNEE, L.RIGHT_KNEE), (L.LEFT_ANKLE, L.RIGHT_ANKLE)]
    if flag.measure == "knee_toe_ratio":  # the knee is judged across the line of the toes
        lines.append((L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX))
    if flag.measure == "pelvic_drop_deg":
        joints = [L.LEFT_HIP, L.RIGHT_HIP] if flag.side is None else joints
        lines.append((L.LEFT_HIP, L.RIGHT_HIP))
    return tuple(dict.fromkeys(joints)), tuple(dict.fromkeys(lines))


def flag_label(flag: Flag) -> str:
    """Short text written next to the flagged joint, e.g. ``rep 3: L knee collapse 14 deg``.

    Plain ASCII: OpenCV's built-in fonts have no degree sign.
    """
    where = f"rep {flag.rep}: " if flag.rep is not None else ""
    side = {"left": "L ", "right": "R "}.get(flag.side or "", "")
    value = f"{flag.value:.0f} deg" if flag.unit == "deg" else f"{flag.value:.2f}"
    return f"{where}{side}{flag.fault.replace('_', ' ')} {value}"


def highlights_for(report: Report) -> list[Highlight]:
    """One video highlight per rep-level flag, shown for the span of its rep."""
    out = []
    for flag in report.flags:
        if flag.rep is None:  # clip-level (asymmetry) flags have no moment to point at
            continue
        joints, lines = flag_marks(flag)
        out.append(
            Highlight(
                t_start_s=float(flag.t_start_s),
                t_end_s=float(flag.t_end_s),
                landmarks=joints,
                label=flag_label(flag),
                color=FLAG_RGB.get(flag.severity, FLAG_RGB["marked"]),
                segments=lines,
            )
        )
    return out


def render_flag_frames(
    video_path: str | Path,
    seq: PoseSequence,
    flags: Sequence[Flag],
    max_side_px: int = 960,
    jpeg_quality: int = 88,
) -> tuple[bytes | None, ...]:
    """JPEG stills of each flag's worst frame with its joints and measurement lines drawn.

    Decodes the clip once, up to the last frame needed.
    """
    wanted = {int(f.worst_frame) for f in flags if 0 <= int(f.worst_frame) < seq.n_frames}
    images: dict[int, tuple[np.ndarray, float]] = {}
    if wanted:
        last = max(wanted)
        for frame in iter_frames(video_path, max_side=max_side_px):
            if frame.index in wanted:
                images[frame.index] = (frame.image, frame.scale)
            if frame.index >= last:
                break
    out: list[bytes | None] = []
    for flag in flags:
        got = images.get(int(flag.worst_frame))
        if got is None:
            out.append(None)
            continue
        image, scale = got
        joints, lines = flag_marks(flag)
        hl = Highlight(
            0.0, 0.0, joints, flag_label(flag), FLAG_RGB.get(flag.severity, FLAG_RGB["marked"]), lines
        )
        i = int(flag.worst_frame)
        drawn = draw_pose(image, seq.landmarks_px[i, :, :2] * scale, seq.visibility[i], [hl])
        ok, buf = cv2.imencode(
            ".jpg", cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality]
        )
        out.append(buf.tobytes() if ok else None)
    return tuple(out)


# --------------------------------------------------------------------- the job
def _analyse(seq: PoseSequence, settings: AnalysisSettings, source_name: str) -> Report:
    from hipform.judge import judge  # deferred: keeps `import hipform.analysis_job` light

    # The view hint is not passed on: the analyser measures the view itself and
    # the app compares the two (see view_hint_mismatch) instead of trusting a guess.
    # judge, not analyse: the person who moves, in one whole-body shot (hipform.judge).
    return judge(seq, movement=settings.movement, source_name=source_name)


def view_hint_mismatch(report: Report, view_hint: str | None) -> str | None:
    """A sentence when the user's view hint disagrees with the view seen in the clip, else None."""
    if view_hint is None or report.view in ("unknown", view_hint):
        return None
    if view_hint in ("front", "rear") and report.view in ("front", "rear"):
        return None  # both are frontal-plane views: every frontal measure works
    return (
        f"You said the camera was at the {view_hint}, but the clip looks like a {report.view} view; "
        f"hipform used the view it sees."
    )


def run_analysis(
    video_path: str | Path,
    out_dir: str | Path,
    settings: AnalysisSettings | None = None,
    progress: StageProgress | None = None,
    source_name: str | None = None,
    limits: Limits | None = None,
    pose_options: PoseOptions | None = None,
    seq: PoseSequence | None = None,
) -> AnalysisResult:
    """Analyse one clip: pose → report → annotated video → flag stills.

    Parameters
    ----------
    video_path : the clip.
    out_dir : folder for the annotated video (created if needed); the file is
        named after the clip's hash and the settings, so the same clip with the
        same settings reuses one name.
    settings : what the user chose (defaults: movement recognised, any view).
    progress : called as ``(stage, done, total)``; see the module docstring.
    source_name : the name to show for the clip (defaults to the file name).
    limits : size and length limits (defaults: from the environment).
    seq : landmarks already found in this clip (e.g. cached from an analysis
        with other settings); the pose stage is then skipped.

    Raises
    ------
    VideoReadError, NoPersonError, ClipTooShortError, InputLimitError, ModelUnavailableError
        With a message for the user (see :mod:`hipform.errors`).
    OutputWriteError
        If the annotated video cannot be written (full disk, read-only folder): nothing is left.
    """
    settings = settings or AnalysisSettings()
    limits = limits or Limits.from_env()
    video_path = Path(video_path)
    name = source_name or video_path.name
    limits.check_file(video_path, name)  # size first, before the file is opened
    info = probe_video(video_path)
    limits.check_video(info, name)  # then length, resolution and frame count from the header
    guard = limits.frame_guard(name)  # for headers that understate the length
    timings: dict[str, float] = {}

    def stage(name_: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(name_, done, total)

    t0 = time.perf_counter()
    sha = file_digest(video_path)
    if seq is None:  # the landmark cache answers for a clip seen before with the same pose options
        pose_progress = stage("pose")

        def guarded(done: int, total: int) -> None:
            guard(done)
            if pose_progress is not None:
                pose_progress(done, total)

        seq = estimate_pose_cached(video_path, options=pose_options, progress=guarded, digest=sha).seq
    elif not isinstance(seq, PoseSequence):
        raise TypeError(f"seq must be a PoseSequence, got {type(seq).__name__}")
    check_long_enough(seq.n_frames, seq.duration_s, name)  # a photo or a blink: one sentence, no empty report
    timings["pose"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    report = _analyse(seq, settings, name)
    timings["analyse"] = time.perf_counter() - t0

    annotated: Path | None = None
    if settings.annotate:
        t0 = time.perf_counter()
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        annotated = out_dir / f"{sha[:16]}-{settings.key}.mp4"
        # Written to a temporary file of its own and renamed when complete: readers never see a
        # half-written video, two runs of one clip (two people on one sample) never share a file,
        # and a full disk is an OutputWriteError the app shows, not a crash of the server.
        annotate_video(
            video_path,
            seq,
            annotated,
            highlights=highlights_for(report),
            max_side_px=settings.annotated_max_side_px,
            progress=stage("annotate"),
        )
        timings["annotate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    frames = render_flag_frames(video_path, seq, report.flags, max_side_px=settings.annotated_max_side_px)
    if progress is not None:
        progress("frames", 1, 1)
    timings["frames"] = time.perf_counter() - t0

    return AnalysisResult(
        source_name=name,
        file_sha256=sha,
        settings=settings,
        video=info,
        seq=seq,
        report=report,
        annotated_path=annotated,
        flag_frames=frames,
        timings_s=timings,
    )
