"""The bad-input matrix: what people's phones make, through the CLI and the app's upload path.

One table (:data:`CASES`), valid and invalid clips side by side. Every clip
gets either a result or one sentence saying what is wrong and what to do,
with a documented exit code (``hipform --help``); never a traceback, never a
temporary file left behind. The clips are made from the shared real clips in
a temporary folder (:mod:`badclips`), scaled to ≤ 480 px and a few dozen
frames. docs/robustness.md records the outcomes
(``python tests/robustness/matrix_doc.py`` rewrites its table).
"""

# ruff: noqa: E501  (the matrix is one row per line, each with its comment)

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from badclips import MAKERS

Check = Callable[[dict], None]


def _flags(report: dict, fault: str) -> list[dict]:
    return [f for f in report["flags"] if f["fault"] == fault]


def _not_assessed(report: dict, fault: str) -> bool:
    return any(n["fault"] == fault and n.get("rep") is None for n in report["not_assessed"])


def right_knee_collapse(report: dict) -> None:
    """The real squat's trainer saw greater sway in the right knee: hipform flags it there."""
    assert report["movement"]["name"] == "squat" and report["view"] == "front"
    assert report["reps"], "the rep must be found"
    assert {f["side"] for f in _flags(report, "knee_collapse")} == {"right"}


def upright_portrait(report: dict) -> None:
    right_knee_collapse(report)


def no_flags_and_says_why(report: dict) -> None:
    """Nothing judged must be listed as not assessed with a reason, never a silent 'all good'."""
    assert report["flags"] == []
    assert report["not_assessed"] and all(n["reason"] for n in report["not_assessed"])


def knee_collapse_not_assessed(report: dict) -> None:
    """Side view named as a squat: knee collapse needs a front view, so it is not assessed."""
    assert _flags(report, "knee_collapse") == []
    assert _not_assessed(report, "knee_collapse")
    reason = next(n["reason"] for n in report["not_assessed"] if n["fault"] == "knee_collapse")
    assert "front or rear view" in reason


def frames_before_the_cut(report: dict) -> None:
    """Cut at 70% of its bytes: the frames before the cut are analysed, not the 36 the header promises.

    They hold only the way down of the squat, so no rep is complete: nothing judged, and said so.
    """
    clip = report["clip"]
    assert 0 < clip["n_frames"] < 36, clip
    assert clip["duration_s"] == pytest.approx(clip["n_frames"] / 15, abs=0.1), clip
    no_flags_and_says_why(report)


def long_clip(report: dict) -> None:
    """Ten minutes at 1 fps: all 600 frames analysed, reps found all through."""
    assert report["clip"]["n_frames"] == 600 and report["clip"]["duration_s"] >= 599
    assert len(report["reps"]) >= 10
    assert report["reps"][-1]["t_end_s"] > 500


@dataclass(frozen=True)
class Case:
    """One row of the matrix.

    maker : name of the clip maker in :mod:`badclips`.
    exit_code : what ``hipform analyse`` must exit with (0: a result).
    says : words the one-sentence message must contain (exit code ≠ 0).
    check : what the report JSON must show (exit code 0).
    movement : ``--exercise``.
    env : extra environment (input limits).
    pose : MediaPipe runs on it (slow).
    """

    maker: str
    exit_code: int
    says: str = ""
    check: Check | None = None
    movement: str = "auto"
    env: dict[str, str] = field(default_factory=dict)
    pose: bool = True

    def __post_init__(self) -> None:
        # every row states what it expects: a result is checked, a refusal has its sentence
        if self.exit_code == 0 and self.check is None:
            raise ValueError(f"{self.maker}: a row with a result needs a check")
        if self.exit_code != 0 and not self.says:
            raise ValueError(f"{self.maker}: a refused row needs the words of its message")


def row(case: Case, case_id: str):
    return pytest.param(case, id=case_id, marks=[pytest.mark.slow] if case.pose else [])


# fmt: off
CASES = [
    # ---- valid clips: a result
    row(Case("normal", 0, check=right_knee_collapse, movement="squat"), "normal"),  # the reference
    row(Case("animated_gif", 0, check=right_knee_collapse, movement="squat"), "animated_gif"),  # a GIF (the upload box takes them): same result
    row(Case("webm_vp9", 0, check=right_knee_collapse, movement="squat"), "webm_vp9"),  # a browser recording (VP9): same result
    row(Case("rotated_phone", 0, check=upright_portrait, movement="squat"), "rotated_phone"),  # 90° display matrix: same result as upright
    row(Case("variable_frame_rate", 0, check=right_knee_collapse, movement="squat"), "variable_frame_rate"),  # 10-60 fps jitter: real timestamps used
    row(Case("ten_minutes", 0, check=long_clip), "ten_minutes"),  # 10 min at 1 fps: within the default 10-min limit
    row(Case("truncated_faststart", 0, check=frames_before_the_cut), "truncated_faststart"),  # cut mid-file, index first: the frames before the cut are used
    row(Case("two_people", 0, check=no_flags_and_says_why), "two_people"),  # one walking, one jumping: no squat fault invented
    row(Case("walks_out", 0, check=no_flags_and_says_why, movement="squat"), "walks_out"),  # blank after mid-clip: the rep is incomplete, said so
    row(Case("side_view", 0, check=knee_collapse_not_assessed, movement="squat"), "wrong_side"),  # side view for a squat: knee collapse not assessed, never "all good"
    # ---- no person: exit 4
    row(Case("no_person", 4, "No person was found"), "no_person"),  # an empty room
    row(Case("legs_only", 4, "Film the whole body"), "legs_only"),  # knees and feet only
    row(Case("very_dark", 4, "well lit"), "very_dark"),  # 6% brightness
    row(Case("extreme_aspect", 4, "No person was found"), "extreme_aspect"),  # 12:1 strip, person 160 px tall
    # ---- too short: exit 6
    row(Case("one_frame", 6, "a single frame"), "one_frame"),  # one frame of a real squat
    row(Case("jpeg_as_mp4", 6, "a single frame (a photo"), "jpeg_renamed"),  # a JPEG renamed .mp4 opens as a one-frame image
    row(Case("uhd_120fps", 6, "12 frames (0.1 s)"), "uhd_120fps"),  # 3840x2160 at 120 fps: decoded fine, 0.1 s is too short
    # ---- not a readable video: exit 3, before MediaPipe
    row(Case("empty", 3, "is empty (0 bytes)", pose=False), "empty"),  # 0 bytes
    row(Case("truncated_mp4", 3, "could not be opened as a video", pose=False), "truncated_mp4"),  # index (moov) cut off
    row(Case("text_as_mp4", 3, "could not be opened as a video", pose=False), "text_renamed"),  # a text file renamed .mp4
    row(Case("audio_only", 3, "has no video track", pose=False), "audio_only"),  # an MP4 with AAC audio only (a voice memo)
    row(Case("zero_frames", 3, "has no video track", pose=False), "zero_frames"),  # a track with no frame: the muxer drops it
    # ---- over the limits: exit 7, before decoding
    row(Case("ten_minutes", 7, "limit of 5.0 min", env={"HIPFORM_MAX_CLIP_S": "300"}, pose=False), "ten_minutes_over_limit"),  # the 10-minute clip with the length limit at 5 min: refused from the header
    row(Case("normal", 7, "HIPFORM_MAX_UPLOAD_MB", env={"HIPFORM_MAX_UPLOAD_MB": "0.05"}, pose=False), "over_size_limit"),  # a 93 kB clip with the size limit at 50 kB: refused before opening
    row(Case("uhd_120fps", 7, "3840x2160 pixels", env={"HIPFORM_MAX_SIDE_PX": "1920"}, pose=False), "uhd_over_side_limit"),  # the 4K clip with a 1920 px limit: refused from the header
    # ---- a broken setting: exit 2
    row(Case("normal", 2, "HIPFORM_MAX_CLIP_S must be a positive number", env={"HIPFORM_MAX_CLIP_S": "ten"}, pose=False), "bad_limit_setting"),  # a limit set to a word: the variable is named
]
# fmt: on
EXIT_CODES_DOCUMENTED = {0, 2, 3, 4, 5, 6, 7}


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> Callable[[str], Path]:
    """Make each clip once per test run, on first use."""
    folder = tmp_path_factory.mktemp("badclips")
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            made[name] = MAKERS[name](folder)
        return made[name]

    return get


def clean_env(extra: dict[str, str], tmp: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIPFORM_")}
    env.update(extra)
    env.update(TMPDIR=str(tmp), HIPFORM_HOME=str(home), PYTHONWARNINGS="ignore")
    return env


def run_cli(case: Case, clip: Path, work: Path) -> tuple[subprocess.CompletedProcess, Path, Path]:
    """``hipform analyse`` on a private copy of the clip, with a private temp dir."""
    work.mkdir(parents=True)
    tmp, home = work / "tmp", work / "home"
    tmp.mkdir()
    src = work / "in" / clip.name
    src.parent.mkdir()
    shutil.copyfile(clip, src)
    out = work / "out"
    out.mkdir()
    cmd = [sys.executable, "-m", "hipform", "analyse", "-q", str(src), "--exercise", case.movement]
    cmd += ["--json", str(out / "report.json")]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=300, env=clean_env(case.env, tmp, home), cwd=work
    )
    return proc, tmp, out


@pytest.fixture(scope="module")
def cli_results(clips, tmp_path_factory, request):
    """Every selected CLI case, two at a time (subprocesses), run once for the module."""
    root = tmp_path_factory.mktemp("cli")
    selected = {
        item.callspec.id
        for item in request.session.items
        if item.module is request.module and item.originalname == "test_cli"
    }
    cases = {p.id: p.values[0] for p in CASES if p.id in selected}
    for case in cases.values():
        clips(case.maker)  # made in this thread (the makers are not thread-safe)

    def one(item):
        cid, case = item
        return cid, (*run_cli(case, clips(case.maker), root / cid), case)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, cases.items()))


def assert_one_sentence(text: str) -> None:
    assert "Traceback" not in text and "Error:" not in text.split("hipform:")[0], text
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    sentence = lines[0]
    assert sentence.endswith(".") and "internal error" not in sentence, sentence
    assert 20 < len(sentence) < 400, sentence


@pytest.mark.parametrize("case", CASES)
def test_cli(case: Case, request, cli_results):
    proc, tmp, out, _ = cli_results[request.node.callspec.id]
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.returncode == case.exit_code, (proc.returncode, proc.stderr[-600:])
    assert proc.returncode in EXIT_CODES_DOCUMENTED
    assert not any(tmp.iterdir()), f"temporary files left: {list(tmp.iterdir())}"
    if case.exit_code == 0:
        report = json.loads((out / "report.json").read_text())
        case.check(report)
        assert proc.stderr.strip() == "", proc.stderr
    else:
        message = proc.stderr.strip()
        assert message.startswith("hipform: ") and case.says in message, message
        assert_one_sentence(message.removeprefix("hipform: "))
        assert not any(out.iterdir()), "no report may be written for a refused clip"


# --------------------------------------------------------------------- the app's upload path
def app_upload(name: str, data: bytes, movement: str, home: Path, env: dict[str, str]):
    """What the app does with an upload (app.analyse_upload without the widgets).

    Saves the bytes under a private folder, checks the limits, analyses the clip
    with the shared job (pose → report → annotated video → flag stills) and
    removes the upload again. Returns the result or raises a HipformError.
    """
    from hipform.analysis_job import AnalysisSettings, run_analysis
    from hipform.limits import Limits
    from hipform.webapp import media

    limits = Limits.from_env(env)
    limits.check_size(len(data), media.safe_filename(name))
    work = home / "tmp" / "upload"
    try:
        path, _sha = media.save_upload(data, name, work)
        return run_analysis(
            path,
            home / "videos",
            AnalysisSettings(movement=movement),
            source_name=media.safe_filename(name),
            limits=limits,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.mark.parametrize("case", CASES)
def test_app_upload(case: Case, clips, tmp_path, monkeypatch):
    from hipform.errors import HipformError

    clip = clips(case.maker)
    home = tmp_path / "home"
    sys_tmp = tmp_path / "systmp"
    sys_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(sys_tmp))
    monkeypatch.setenv("HIPFORM_HOME", str(home))
    try:
        result = app_upload(clip.name, clip.read_bytes(), case.movement, home, case.env)
    except HipformError as exc:
        assert case.exit_code != 0 and exc.exit_code == case.exit_code, (exc.exit_code, str(exc))
        assert case.says in str(exc)
        assert_one_sentence(str(exc))
    else:
        assert case.exit_code == 0, f"expected exit {case.exit_code}, got a result"
        report = result.report.to_dict()
        json.dumps(report, allow_nan=False)
        case.check(report)
        assert result.annotated_path is not None and result.annotated_path.is_file()
        assert len(result.flag_frames) == len(result.report.flags)
    assert not any(sys_tmp.iterdir()), f"temporary files left: {list(sys_tmp.iterdir())}"
    tmp = home / "tmp"
    assert not tmp.exists() or not any(tmp.rglob("*")), "the upload copy must be removed"
    videos = home / "videos"
    if videos.exists():
        assert not [p for p in videos.iterdir() if ".part" in p.name], "half-written videos left"


# --------------------------------------------------------------------- the app itself (AppTest)
#: Rows run through the real app script too: every refusal, and the wrong-side clip.
APPTEST_ROWS = [p for p in CASES if p.values[0].exit_code != 0 or p.id == "wrong_side"]


@pytest.mark.slow
@pytest.mark.parametrize("case", APPTEST_ROWS)
def test_app_shows_one_sentence_or_an_honest_result(case: Case, clips, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    home = tmp_path / "home"
    samples = tmp_path / "no-samples"
    samples.mkdir()
    monkeypatch.setenv("HIPFORM_HOME", str(home))
    monkeypatch.setenv("HIPFORM_SAMPLES", str(samples))  # the app opens on the upload box
    monkeypatch.delenv("HIPFORM_DB", raising=False)
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    clip = clips(case.maker)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=240)
    at.run()
    at.selectbox(key="movement").set_value(case.movement)
    at.run()
    at.file_uploader(key="upload").set_value((clip.name, clip.read_bytes(), "video/mp4"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    if case.exit_code != 0:
        assert len(errors) == 1 and case.says in errors[0], errors
        assert_one_sentence(errors[0])
    else:
        assert errors == []
        # the only fault checked could not be judged: never a green "no fault" message
        assert [s.value for s in at.success] == []
        assert any("could not" in w.value or "Nothing could be judged" in w.value for w in at.warning), [
            w.value for w in at.warning
        ]
    tmp = home / "tmp"
    assert not tmp.exists() or not any(tmp.rglob("*")), "the upload copy must be removed"
