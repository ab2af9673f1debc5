"""Analyses running at once share nothing they should not: job level (no browser, no Streamlit).

The app's sessions all call :func:`hipform.analysis_job.run_analysis` into one
video folder. Three different clips analysed at once must each get their own
result and video; the same clip analysed twice at once (two people picking
the same bundled sample) must give two whole, playable videos.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hipform.video import iter_frames, probe_video


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    import badclips

    d = tmp_path_factory.mktemp("clips")
    return {
        "front": badclips.normal(d),
        "side": badclips.side_view(d),
        "vfr": badclips.variable_frame_rate(d),
    }


@pytest.fixture(scope="module")
def poses(clips):
    from hipform.pose import estimate_pose

    return {name: estimate_pose(path) for name, path in clips.items()}


def _frames_in(path: Path) -> int:
    return sum(1 for _ in iter_frames(path, max_side=64))


@pytest.mark.slow
def test_three_clips_at_once_keep_their_own_results(clips, poses, tmp_path):
    from hipform.analysis_job import AnalysisSettings, run_analysis

    out = tmp_path / "videos"
    settings = {"front": "squat", "side": "squat", "vfr": "squat"}

    def job(name: str):
        return name, run_analysis(
            clips[name], out, AnalysisSettings(movement=settings[name]), seq=poses[name], source_name=name
        )

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(pool.map(job, ["front", "side", "vfr", "front", "side", "vfr"]))
    for name, res in results.items():
        assert res.source_name == name and res.seq is poses[name]
        assert res.report.n_frames == poses[name].n_frames
        assert _frames_in(res.annotated_path) == poses[name].n_frames
    assert {f.side for f in results["front"].report.flags_for("knee_collapse")} == {"right"}
    assert results["side"].report.flags_for("knee_collapse") == []
    assert results["front"].annotated_path != results["vfr"].annotated_path
    assert not [p for p in out.iterdir() if ".part" in p.name]


@pytest.mark.slow
def test_same_clip_twice_at_once_gives_whole_videos(clips, poses, tmp_path):
    from hipform.analysis_job import AnalysisSettings, run_analysis

    out = tmp_path / "videos"
    clip, seq = clips["front"], poses["front"]

    def job(_):
        res = run_analysis(clip, out, AnalysisSettings(movement="squat"), seq=seq)
        return _frames_in(res.annotated_path), res.annotated_path

    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(job, range(4)))
    assert all(n == seq.n_frames for n, _ in got), got
    info = probe_video(got[0][1])
    assert info.codec == "h264" and info.width_px > 0
    assert not [p for p in out.iterdir() if ".part" in p.name]


MEASURE = textwrap.dedent(
    """
    import resource, sys
    from hipform.video import iter_frames
    n = 0
    for frame in iter_frames(sys.argv[1], max_side=480):
        n += 1
    print(n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    """
)


def _moving_clip(path: Path, n: int, width: int = 640, height: int = 360) -> Path:
    """A quickly encoded clip of a moving gradient (x264 ultrafast)."""
    import numpy as np
    from clipmaker import write_clip

    y, x = np.mgrid[0:height, 0:width]
    blue = np.full_like(x, 128)
    frames = (np.dstack([(x + 4 * i) % 256, (y + 2 * i) % 256, blue]).astype(np.uint8) for i in range(n))
    return write_clip(path, frames, fps=30, codec_options={"preset": "ultrafast"})


def test_long_clips_are_read_in_bounded_memory(tmp_path):
    """Peak memory reading a 1-minute clip is within a few MB of reading a 3-second one."""
    peaks = {}
    for name, n in (("short", 90), ("long", 1800)):
        path = _moving_clip(tmp_path / f"{name}.mp4", n, 480, 272)
        cmd = [sys.executable, "-c", MEASURE, str(path)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        frames, peak_kb = (int(v) for v in out.stdout.split())
        assert frames == n
        peaks[name] = peak_kb
    growth_mb = (peaks["long"] - peaks["short"]) / 1024  # ru_maxrss is in kB on Linux
    # 20x the frames (0.7 GB once decoded) may not cost more than a few frames' worth
    assert growth_mb < 20, peaks
