"""The shared analysis job: settings, limits, highlights; one real run on the rendered clip."""

from __future__ import annotations

import pytest

from hipform.analysis_job import (
    AnalysisSettings,
    flag_label,
    flag_marks,
    highlights_for,
    run_analysis,
    view_hint_mismatch,
)
from hipform.cache import file_digest
from hipform.landmarks import Landmark as L
from hipform.video import probe_video


def test_settings_validate_and_name_themselves():
    s = AnalysisSettings(movement="squat", view_hint="side")
    assert s.key == "squat-side-ann-960" and s.to_dict()["view_hint"] == "side"
    with pytest.raises(ValueError, match="movement"):
        AnalysisSettings(movement="burpee")
    with pytest.raises(ValueError, match="view_hint"):
        AnalysisSettings(view_hint="top")


def test_flag_marks_follow_the_measure(synthetic_report):
    flag = synthetic_report.flags[0]
    joints, lines = flag_marks(flag)
    assert joints == (L.LEFT_KNEE,)
    assert lines == ((L.LEFT_HIP, L.LEFT_KNEE), (L.LEFT_KNEE, L.LEFT_ANKLE))
    assert flag_label(flag).startswith("rep 1: L knee collapse ") and flag_label(flag).endswith(" deg")
    hls = highlights_for(synthetic_report)
    assert len(hls) == 3 and hls[0].t_start_s == pytest.approx(flag.t_start_s)


def test_view_hint_mismatch(synthetic_report):
    assert view_hint_mismatch(synthetic_report, None) is None
    assert view_hint_mismatch(synthetic_report, "front") is None
    assert view_hint_mismatch(synthetic_report, "rear") is None  # also a frontal-plane view
    assert "side" in view_hint_mismatch(synthetic_report, "side")


@pytest.mark.slow
def test_run_analysis_on_the_rendered_clip(sample_clip, tmp_path):
    stages = []
    result = run_analysis(
        sample_clip,
        tmp_path,
        AnalysisSettings(movement="single-leg-squat"),
        progress=lambda stage, done, total: stages.append(stage),
    )
    assert result.file_sha256 == file_digest(sample_clip)
    assert list(dict.fromkeys(stages)) == ["pose", "annotate", "frames"]
    left = [f for f in result.report.flags if f.fault == "knee_collapse" and f.side == "left"]
    assert len(left) >= 1, result.report.summary_lines()
    assert not [f for f in result.report.flags if f.side == "right"]
    assert result.annotated_path.parent == tmp_path and result.annotated_path.stat().st_size > 10_000
    assert probe_video(result.annotated_path).codec == "h264"
    assert len(result.flag_frames) == len(result.report.flags)
    assert all(b and b[:2] == b"\xff\xd8" for b in result.flag_frames)  # JPEG stills
    assert not list(tmp_path.glob("*.part*"))
