"""The ``hipform`` command line.

Every subcommand exits 0 when it ran; a problem with the user's input exits
with the code of its :class:`~hipform.errors.HipformError` class and one
sentence on what to do. Set ``HIPFORM_DEBUG=1`` to see tracebacks.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from hipform import __version__, settings
from hipform.errors import HipformError, VideoReadError
from hipform.safe_write import check_outputs, write_whole

EXIT_CODES_HELP = """exit codes:
  0  the command ran (whatever it found)
  1  internal error (please report it)
  2  wrong command-line usage, or a HIPFORM_MAX_* limit that is not a positive number
  3  the file is not a readable video (or landmark file)
  4  no person found in the clip
  5  the requested pose model is not installed
  6  the clip is too short to judge (a photo, or under 1 s)
  7  the clip is over this installation's size, length or resolution limits
     (HIPFORM_MAX_UPLOAD_MB, HIPFORM_MAX_CLIP_S, HIPFORM_MAX_SIDE_PX, HIPFORM_MAX_FRAMES)
  8  the history database cannot be used (busy, damaged, a folder); analyses still run
  9  an output could not be written (disk full, missing folder, read-only, no permission)
"""


class UsageError(HipformError):
    """Arguments that parse but do not make sense together (exit 2, like argparse)."""

    exit_code = 2


class ProgressBar:
    """A tqdm bar on the terminal that the pose callbacks can drive."""

    def __init__(self, desc: str, stream: object, enabled: bool = True) -> None:
        self._desc, self._stream = desc, stream
        self._enabled = enabled and getattr(stream, "isatty", lambda: False)()
        self._bar = None

    def __call__(self, done: int, total: int) -> None:
        if not self._enabled:
            return
        if self._bar is None:  # created on the first frame, so errors before it print cleanly
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=self._desc, unit="frame", file=self._stream, leave=False)
        if total != self._bar.total:
            self._bar.total = total
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _load_pose(path: Path, console: object, quiet: bool, workers: int | None = None):
    """A PoseSequence from a saved ``.npz`` or by running the pose model (``workers``: see ``--workers``)."""
    from hipform.sequence import load_sequence

    if path.suffix.lower() == ".npz":
        try:
            return load_sequence(path)
        except ValueError as exc:  # exit 3 like an unreadable video, not 1 (a bug)
            raise VideoReadError(f"{exc}. Give a video or a file saved by 'hipform pose'.") from None
    from hipform.cache import estimate_pose_cached
    from hipform.limits import Limits, check_clip

    limits = Limits.from_env()
    check_clip(path, limits)  # size, length and resolution from the header, before decoding
    guard = limits.frame_guard(path.name)  # for headers that understate the length
    bar = ProgressBar(f"pose {path.name}", console, enabled=not quiet)

    def progress(done: int, total: int) -> None:
        guard(done)
        bar(done, total)

    try:
        # a clip seen before skips the model
        return estimate_pose_cached(path, progress=progress, workers=workers).seq
    finally:
        bar.close()


def _printable(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x1b``, ``\\n``, ``\\u202e``).

    File names and strings stored in files (a landmark file's ``source``, its
    notes) reach the terminal: an ANSI escape in one could recolour the
    screen, move the cursor or retitle the window, and a newline could print
    a line that looks like hipform's own. Letters and symbols of any script pass.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _summary_line(seq) -> str:
    return _printable(
        f"{seq.source}: {seq.n_frames} frames, {seq.duration_s:.1f} s at {seq.fps:.1f} fps, "
        f"{seq.width_px}x{seq.height_px}, person detected in {100 * seq.detection_rate:.0f}% of frames"
    )


def cmd_pose(args: argparse.Namespace, console) -> int:
    from hipform.sequence import save_sequence, save_sequence_csv

    # numpy names the file <name>.npz when the name lacks the ending: check and write that name
    npz = args.output if args.output.suffix == ".npz" else args.output.with_name(args.output.name + ".npz")
    check_outputs([args.video], {"-o": npz, "--csv": args.csv})
    seq = _load_pose(args.video, console, args.quiet, args.workers)
    out = write_whole(npz, lambda partial: save_sequence(seq, partial))
    print(_summary_line(seq))
    print(f"landmarks saved to {out}")
    if args.csv:
        print(f"CSV saved to {write_whole(args.csv, lambda partial: save_sequence_csv(seq, partial))}")
    return 0


def _write_annotated(video: Path, seq, out_path: Path, console, quiet: bool) -> Path:
    """Draw ``seq`` on ``video`` into ``out_path``, with a progress bar; no file when it fails.

    A video writer finishes its file even when the writing stops early, so Ctrl-C while drawing
    would leave a short, playable video that looks complete: :func:`annotate_video` writes a
    temporary file and renames it only when every frame is in.
    """
    from hipform.annotate import annotate_video

    bar = ProgressBar("drawing", console, enabled=not quiet)
    try:
        annotate_video(video, seq, out_path, progress=bar)
    finally:
        bar.close()
    return out_path


def cmd_annotate(args: argparse.Namespace, console) -> int:
    check_outputs([args.video], {"-o": args.output})
    seq = _load_pose(args.video, console, args.quiet)
    out = _write_annotated(args.video, seq, args.output, console, args.quiet)
    print(_summary_line(seq))
    print(f"annotated video saved to {out}")
    return 0


def cmd_analyse(args: argparse.Namespace, console) -> int:
    from hipform.judge import judge
    from hipform.limits import check_long_enough
    from hipform.plain import summary_lines
    from hipform.report import save_measures_csv, save_report_json, save_reps_csv

    if args.video_out and args.video.suffix.lower() == ".npz":  # said before the pose model runs
        raise UsageError("--video needs the original video as input, not a landmark file.")
    outputs = {"--json": args.json, "--csv": args.csv, "--reps-csv": args.reps_csv, "--video": args.video_out}
    outputs |= {"--trc": args.trc, "--mot": args.mot, "--c3d": args.c3d}
    check_outputs([args.video], outputs)  # before the pose model runs, not after
    if args.c3d:  # likewise: a missing library is said before the pose model runs
        from hipform.export import require_c3d

        require_c3d()
    seq = _load_pose(args.video, console, args.quiet, args.workers)
    check_long_enough(seq.n_frames, seq.duration_s, args.video.name)
    report = judge(seq, movement=args.movement, source_name=args.video.name)
    print("\n".join(map(_printable, summary_lines(report))))  # plain words, same as the app
    if args.json:
        print(f"report saved to {write_whole(args.json, lambda partial: save_report_json(report, partial))}")
    if args.csv:
        saved = write_whole(args.csv, lambda partial: save_measures_csv(report, partial))
        print(f"per-frame measures saved to {saved}")
    if args.reps_csv:
        saved = write_whole(args.reps_csv, lambda partial: save_reps_csv(report, partial))
        print(f"per-rep table saved to {saved}")
    if args.trc or args.mot or args.c3d:
        from hipform.export import save_c3d, save_mot, save_trc

        if args.trc:
            print(f"markers (OpenSim .trc) saved to {save_trc(seq, args.trc)}")
        if args.mot:
            print(f"per-frame measures (OpenSim .mot) saved to {save_mot(report, args.mot)}")
        if args.c3d:
            print(f"markers (C3D) saved to {save_c3d(seq, args.c3d)}")
    if args.video_out:
        out = _write_annotated(args.video, seq, args.video_out, console, args.quiet)
        print(f"annotated video saved to {out}")
    return 0


def _worker_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return value


def _add_pose_workers(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers",
        type=_worker_count,
        metavar="N",
        help="processes that run the pose model, each on a stretch of the clip (default: "
        "$HIPFORM_POSE_WORKERS, else 1; clips under about 6.5 s use one)",
    )


def cmd_batch(args: argparse.Namespace, console) -> int:
    import time

    from hipform.batch import BatchSettings, find_clips, run_batch, summary_table

    try:
        clips = find_clips(args.folder)
    except HipformError as exc:  # a wrong folder argument is a usage error (2), not a bug (1)
        raise UsageError(str(exc)) from None
    workers = args.workers or min(len(clips), os.cpu_count() or 1)
    if args.export and not args.out:
        raise UsageError("--export writes beside the reports: give --out DIR too.")
    settings = BatchSettings(
        movement=args.movement,
        out_dir=args.out,
        use_cache=not args.no_cache,
        exports=tuple(args.export or ()),
    )
    bar = None
    if not args.quiet and getattr(console, "isatty", lambda: False)():
        from tqdm import tqdm

        desc = "on Ray" if args.ray else f"{workers} worker{'s' * (workers > 1)}"
        bar = tqdm(total=len(clips), desc=desc, unit="clip", file=console)

    def progress(result, done: int, total: int) -> None:
        if bar is not None:
            bar.set_postfix_str(result.path.name, refresh=False)
            bar.update(done - bar.n)

    t0 = time.perf_counter()
    try:
        if args.ray:  # Ray is imported only here (hipform[cluster])
            from hipform.cluster import run_batch_on_ray

            results = run_batch_on_ray(clips, settings, args.ray, args.workers or None, progress)
        else:
            results = run_batch(clips, settings, workers=workers, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    print("\n".join(map(_printable, summary_table(results, wall_s=time.perf_counter() - t0))))
    if args.out:
        print(f"reports and {args.out / 'batch_summary.csv'} saved in {args.out}")
    failed = [r for r in results if not r.ok]
    return failed[0].exit_code if len(failed) == len(results) else 0


def _synth_fault_names() -> dict[str, str]:
    """``--fault`` names on the command line → :class:`hipform.synth.athlete.Faults` fields.

    A fault is named as the report names it (``knee_collapse``) when one injectable fault shows as
    it, and by what is injected (``pelvis_sway``, ``trunk_lean``, ``free_foot_drop``) when several do.
    """
    from collections import Counter

    from hipform.synth.movements import INJECTABLE_FAULTS, KINEMATIC_FAULT

    shown = Counter(KINEMATIC_FAULT.values())
    return {
        KINEMATIC_FAULT[f] if shown[KINEMATIC_FAULT[f]] == 1 else f.rsplit("_", 1)[0]: f
        for f in INJECTABLE_FAULTS
    }


def _fault_arg(text: str) -> tuple[str, float]:
    """``knee_collapse=12`` → ("knee_valgus_deg", 12.0) for ``hipform synth --fault``."""
    name, sep, value = text.partition("=")
    name = name.strip().replace("-", "_")
    names = _synth_fault_names()
    if not sep or name not in names:
        raise argparse.ArgumentTypeError(
            f"expected FAULT=VALUE with FAULT one of {', '.join(names)}, got {text!r}"
        )
    try:
        deg = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name} needs a number, got {value!r}") from None
    return names[name], deg


def cmd_synth(args: argparse.Namespace, console) -> int:
    from hipform.synth.athlete import Faults, MotionParams, simulate
    from hipform.synth.clip import camera_for, render_clip

    if args.output.suffix.lower() != ".mp4":
        raise UsageError(f"the clip must be an .mp4 file, got {args.output.name}")
    try:
        faults = Faults(side=args.side, **dict(args.fault or ()))
        params = MotionParams(reps=args.reps, fps=args.fps, faults=faults, stance_side=args.stance_side)
        motion = simulate(args.movement, params, seed=args.seed)
        base = camera_for(args.movement, args.view)
        height = args.height or base.height_px
        width = 2 * round(base.width_px * height / base.height_px / 2)
        camera = camera_for(args.movement, args.view, width_px=width, height_px=height)
    except ValueError as exc:
        raise UsageError(f"{exc}.") from None
    noise = None
    if args.phone:
        from hipform.synth.render import PHONE

        noise = PHONE
    args.output.parent.mkdir(parents=True, exist_ok=True)
    bar = ProgressBar(f"rendering {args.output.name}", console, enabled=not args.quiet)
    try:
        info = render_clip(
            motion,
            camera,
            args.output,
            appearance_seed=args.seed if args.look is None else args.look,
            noise=noise,
            view=args.view,
            progress=bar,
        )
    finally:
        bar.close()
    print(
        f"{args.movement} from the {args.view}, {len(motion.reps)} "
        f"{'steps' if args.movement == 'running' else 'reps'}, {info.n_frames} frames at {info.fps:g} fps, "
        f"{info.width_px}x{info.height_px}"
    )
    print(f"clip saved to {info.video_path}")
    print(f"ground truth saved to {info.truth_path}")
    return 0


def cmd_samples(args: argparse.Namespace, console) -> int:
    from hipform.synth.samples import SAMPLES, regenerate

    names = args.only or None
    if names:
        known = {s.name for s in SAMPLES}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise UsageError(f"no sample called {unknown[0]!r}; choose from {', '.join(sorted(known))}")
    bar = ProgressBar("samples", console, enabled=not args.quiet)
    try:
        infos = regenerate(args.out, names, progress=lambda done, total, _name: bar(done, total))
    finally:
        bar.close()
    size = sum(i.video_path.stat().st_size + i.truth_path.stat().st_size for i in infos)
    for i in infos:
        print(f"{i.video_path.name:<34}{i.n_frames:>5} frames  {i.width_px}x{i.height_px}")
    print(f"{len(infos)} clips with ground truth saved in {args.out} ({size / 1e6:.1f} MB)")
    return 0


def cmd_check(args: argparse.Namespace, console) -> int:
    """The guided hip check on a folder of clips named after its tests (hipform/hip_check.py)."""
    import json

    from hipform.check_report import save_check
    from hipform.hip_check import TESTS, clips_in_folder, run_check

    try:
        clips = clips_in_folder(args.folder)
        previous = json.loads(args.previous.read_text("utf-8")) if args.previous else None
    except (ValueError, OSError) as exc:  # a wrong folder or earlier check is the user's to fix (2)
        raise UsageError(f"{exc}.") from None
    if not clips:
        names = ", ".join(f"{t.key}.mp4" for t in TESTS)
        raise UsageError(f"no clip of the hip check in {args.folder}; name the clips {names}.")
    bar = ProgressBar("pose", console, enabled=not args.quiet)
    try:
        check = run_check(clips, who=args.name or "", previous=previous, progress=lambda _k, d, t: bar(d, t))
    finally:
        bar.close()
    pdf = args.pdf or args.folder / "hip-check.pdf"
    json_path = args.json or args.folder / "hip-check.json"
    print(f"Hip check{f' of {args.name}' if args.name else ''}: {check.summary()}")
    for r in check.results:
        print(f"  {r.test.title:<34}{r.headline()}")
    for p in check.programmes():
        print(f"  to do — {p.title}: {', '.join(p.exercises)}")
    for c in check.changes:
        if c.verdict in ("better", "worse"):
            print(f"  since last time: {c.describe()}")
    for path in save_check(check, pdf, json_path):
        print(f"saved {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hipform",
        description="Check hip-strength form (knee collapse, pelvic drop, back arching) from video.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hipform {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(
        name: str, func: Callable, help_text: str, aliases: tuple[str, ...] = ()
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            aliases=list(aliases),
            help=help_text,
            description=help_text,
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
        p.set_defaults(func=func)
        return p

    p = add("pose", cmd_pose, "Find the body landmarks in every frame of a video and save them.")
    p.add_argument("video", type=Path, help="video file (MP4, MOV, WebM, AVI, GIF…)")
    p.add_argument("-o", "--output", type=Path, required=True, help="landmark file to write (.npz)")
    p.add_argument("--csv", type=Path, help="also write the landmarks as CSV (one row per frame)")
    _add_pose_workers(p)

    p = add("annotate", cmd_annotate, "Draw the detected skeleton on a video (browser-playable MP4).")
    p.add_argument("video", type=Path, help="video file")
    p.add_argument("-o", "--output", type=Path, required=True, help="annotated video to write (.mp4)")

    from hipform.kinematics.movements import MOVEMENTS

    # "analyze" is the spelling of hipform 0.1; kept so existing scripts keep working
    p = add(
        "analyse",
        cmd_analyse,
        "Judge the form rep by rep: knee collapse, pelvic drop, back arching.",
        aliases=("analyze",),
    )
    p.add_argument("video", type=Path, help="video file, or a landmark file (.npz) saved by 'hipform pose'")
    p.add_argument(
        "--exercise",
        dest="movement",
        default="auto",
        choices=("auto", *MOVEMENTS),
        help="the movement in the clip (default: recognise it)",
    )
    p.add_argument("--json", type=Path, help="write the report as JSON (schema: docs/report-schema.md)")
    p.add_argument("--csv", type=Path, help="write the per-frame measures as CSV")
    p.add_argument("--reps-csv", type=Path, help="write the per-rep (per-step) table as CSV")
    p.add_argument("--video", dest="video_out", type=Path, help="write an annotated video (.mp4)")
    p.add_argument(
        "--trc", type=Path, help="write the landmarks as OpenSim markers (.trc, metres, y up; docs/export.md)"
    )
    p.add_argument("--mot", type=Path, help="write the per-frame measures as an OpenSim motion file (.mot)")
    p.add_argument("--c3d", type=Path, help="write the landmarks as a C3D file (needs hipform[export])")
    _add_pose_workers(p)

    p = add("batch", cmd_batch, "Analyse every clip in a folder, several at a time; print a summary table.")
    p.add_argument("folder", type=Path, help="folder holding the clips (MP4, MOV, WebM…; subfolders ignored)")
    p.add_argument(
        "--workers",
        type=_worker_count,
        default=0,
        metavar="N",
        help="clips analysed at once, one process each (default: one per CPU core, with --ray the cluster's)",
    )
    p.add_argument(
        "--ray",
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help="run the clips on a Ray cluster: its head's host:6379, or auto on a machine that joined it; "
        "alone, a Ray started here for this batch (needs hipform[cluster]; docs/cluster.md)",
    )
    p.add_argument(
        "--exercise",
        dest="movement",
        default="auto",
        choices=("auto", *MOVEMENTS),
        help="the movement in every clip (default: recognise it in each)",
    )
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write one JSON report per clip and batch_summary.csv into this folder",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="run the pose model even on clips analysed before (landmark cache off)",
    )
    from hipform.export import EXPORT_FORMATS

    p.add_argument(
        "--export",
        nargs="+",
        choices=EXPORT_FORMATS,
        metavar="FORMAT",
        help="also write each clip's files for OpenSim beside its report: trc, mot and/or c3d "
        "(<clip name>.trc …; needs --out)",
    )

    from hipform.synth.camera import VIEW_YAW_DEG

    p = add("synth", cmd_synth, "Render a synthetic athlete with known faults, and its ground truth.")
    p.add_argument("movement", choices=MOVEMENTS, help="the movement to render")
    p.add_argument(
        "--fault",
        action="append",
        type=_fault_arg,
        metavar="FAULT=VALUE",
        help="inject a fault, repeatable: knee_collapse=DEG (knee valgus FPPA), pelvic_drop=DEG "
        "(contralateral drop), back_arch=DEG (extra hip-line / thigh-past-trunk angle); clamshell: "
        "pelvic_roll=DEG (pelvis rolls back), feet_apart=CM (top heel lifts), small_range=DEG "
        "(the knee opens only this far); single-leg balance, step-up, single-leg squat: pelvis_sway=CM "
        "(the pelvis sways sideways this far at 1.5 Hz), trunk_lean=DEG (the trunk leans over the stance "
        "leg); single-leg deadlift: knee_collapse, pelvic_roll=DEG (the pelvis opens, free-side hip up), "
        "hinge_line=DEG (back and free leg bent out of line), free_foot_drop=CM (the free foot lowered, 42 "
        "or more puts it down), pelvis_sway; band walk: knee_collapse, trunk_lean=DEG (the trunk sways "
        "toward the leading leg), depth_lost=CM (the hips rise out of the squat), feet_together=CM (the "
        "trailing foot lands closer); side-lying leg lift: leg_forward=DEG (the lifted leg drifts "
        "forward), pelvic_roll=DEG",
    )
    p.add_argument(
        "--side",
        default="right",
        choices=("left", "right", "both"),
        help="the collapsing knee, or the stance leg for pelvic drop (default: right)",
    )
    p.add_argument(
        "--stance-side",
        choices=("left", "right"),
        help="stance / lead / kicking leg of single-leg movements (default: the fault side)",
    )
    p.add_argument(
        "--view", default="front", choices=tuple(VIEW_YAW_DEG), help="camera position (default: front)"
    )
    p.add_argument("--reps", type=int, default=3, help="reps, or strides for running (default: 3)")
    p.add_argument(
        "--seed", type=int, default=0, help="seed of the motion and the athlete's look (default: 0)"
    )
    p.add_argument("--look", type=int, metavar="SEED", help="a different seed for the look and room only")
    p.add_argument("--fps", type=float, default=30.0, help="frame rate (default: 30)")
    p.add_argument(
        "--height", type=int, metavar="PX", help="frame height in pixels (default: 1280 upright, 720 floor)"
    )
    p.add_argument("--phone", action="store_true", help="add phone-camera noise, blur and JPEG compression")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="clip to write (.mp4); the ground truth goes beside it as .truth.json",
    )

    from hipform.hip_check import TESTS

    p = add(
        "check",
        cmd_check,
        "The guided hip check: judge a folder of test clips and write a one-page report (PDF and JSON). "
        f"Name the clips after the tests: {', '.join(t.key + '.mp4' for t in TESTS)} "
        "(any video type, or a .npz landmark file); a missing test is listed as not done.",
    )
    p.add_argument("folder", type=Path, help="folder holding the clips, named after the tests")
    p.add_argument("--name", help="the person's name or initials, for the report")
    p.add_argument("--pdf", type=Path, help="report to write (default: FOLDER/hip-check.pdf)")
    p.add_argument("--json", type=Path, help="results to write (default: FOLDER/hip-check.json)")
    p.add_argument(
        "--previous",
        type=Path,
        metavar="JSON",
        help="an earlier check of the same person (its hip-check.json): say what changed",
    )

    p = add("samples", cmd_samples, "Regenerate the sample clips (fixed seeds) with their ground truth.")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("sample_videos"),
        metavar="DIR",
        help="folder to write into (default: sample_videos)",
    )
    p.add_argument("--only", nargs="+", metavar="NAME", help="regenerate only these samples")
    return parser


def _say(console, text: str) -> None:
    """Print ``hipform: TEXT`` on a line of its own.

    On a terminal the line is erased first: a progress bar stopped by Ctrl-C before
    it could erase itself would otherwise share the line with the message.
    """
    erase_line = "\r\x1b[K" if getattr(console, "isatty", lambda: False)() else ""
    print(f"{erase_line}hipform: {_printable(text)}", file=console)


def _run(args: argparse.Namespace, console) -> tuple[int, str]:
    """Run the command: its exit code, and the sentence to say when it is not 0."""
    try:
        return args.func(args, console), ""
    except HipformError as exc:
        return exc.exit_code, str(exc)
    except KeyboardInterrupt:
        return 130, "stopped."
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if settings.debug():
            traceback.print_exc(file=console)
        return 1, (
            f"internal error ({type(exc).__name__}: {exc}). "
            "Please report it; run again with HIPFORM_DEBUG=1 for details."
        )


def _print_to_stdout(text: str) -> None:
    """Write ``text`` to standard output; a reader that went away (``| head -1``) is not an error.

    Standard output is pointed at the null device then, so Python's own flush at exit does not
    fail on the closed pipe either.
    """
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from hipform.pose import native_logs_silenced

    with native_logs_silenced() as console:
        # What a command prints is held until it ends: every file it writes is complete before
        # a word goes out, so a reader that stops early (`| head -1`) costs no output file.
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code, message = _run(args, console)
        _print_to_stdout(printed.getvalue())
        if message:
            _say(console, message)
        return code


if __name__ == "__main__":
    sys.exit(main())
