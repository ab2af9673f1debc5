"""Judge the right person in the right shot: the analysis every clip goes through.

:func:`hipform.kinematics.analyse` judges whatever landmarks it is given. Before
it runs, this module makes sure they belong to the person doing the movement
(not a bystander the pose model happened to follow) and to one continuous
shot that shows the whole body (not a title card or a close-up of the legs
spliced into the same file), and afterwards it tells the user, in the
report's notes, what was seen and left out. The command line, the batch
runner and the app all analyse clips through :func:`judge`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from hipform.errors import NoPersonError
from hipform.people import MIN_CHECKS_FOR_MOVER, STILL_MOTION, PersonChecks
from hipform.report import Report
from hipform.sequence import PoseSequence
from hipform.shots import Shot, split_shots


def judge(seq: PoseSequence, movement: str = "auto", source_name: str | None = None) -> Report:
    """Analyse the person who moves, in the longest continuous whole-body shot.

    Parameters
    ----------
    seq : landmarks of the clip, with what the pose pass found about other
        people and scene cuts in ``seq.meta`` (sequences saved without them are
        judged as one shot of one person).
    movement : as for :func:`hipform.kinematics.analyse`.
    source_name : the clip's name as the user knows it, for messages (default ``seq.source``).

    Returns
    -------
    Report
        The analysis of the chosen shot (frames outside it count as frames with
        nobody found, so frame numbers still match the video), with notes on
        another person in view and on the shots left out.

    Raises
    ------
    NoPersonError
        The pose model followed a person standing still while another one
        exercised and the two could not be separated, or the clip has several
        shots and none shows the whole body for long enough.
    """
    from hipform.kinematics import analyse  # deferred: SciPy loads only when a clip is judged

    name = source_name or seq.source or "the clip"
    checks = PersonChecks.from_meta(seq.meta)
    if checks is not None and checks.tracked == "bystander":
        raise NoPersonError(
            f"Two people are in view in '{name}' and hipform tracked the one standing still; "
            "crop the clip to the person exercising."
        )
    shots = split_shots(seq)
    chosen = choose_shot(shots, name)
    judged = seq if len(shots) == 1 else only_frames(seq, chosen.start, chosen.stop)
    report = analyse(judged, movement=movement)
    notes = [*person_notes(checks, seq), *shot_notes(shots, chosen)]
    return replace(report, notes=report.notes + tuple(notes)) if notes else report


def choose_shot(shots: list[Shot], source: str = "the clip") -> Shot:
    """The shot to judge: the only one, or the longest that shows the whole body.

    Raises
    ------
    NoPersonError
        Several shots and none of them can be judged (:attr:`Shot.judgeable`).
    """
    if len(shots) == 1:
        return shots[0]
    judgeable = [s for s in shots if s.judgeable]
    if not judgeable:
        raise NoPersonError(
            f"'{source}' is an edited clip of {len(shots)} shots and none shows the whole body for a second "
            "or more; trim it to one shot that shows the whole body, head to feet."
        )
    return max(judgeable, key=lambda s: s.duration_s)


def only_frames(seq: PoseSequence, start: int, stop: int) -> PoseSequence:
    """``seq`` with every frame outside ``start:stop`` emptied (as if nobody were found).

    Unlike :meth:`PoseSequence.slice`, frame ``i`` stays frame ``i`` of the video,
    so the report's frame numbers, the annotated video and the flag stills agree.
    """
    keep = np.zeros(seq.n_frames, bool)
    keep[start:stop] = True
    lm = np.where(keep[:, None, None], seq.landmarks_px, np.nan)
    world = np.where(keep[:, None, None], seq.world_m, np.nan)
    vis = np.where(keep[:, None], seq.visibility, 0.0)
    return replace(seq, landmarks_px=lm, world_m=world, visibility=vis)


def person_notes(checks: PersonChecks | None, seq: PoseSequence) -> list[str]:
    """A sentence on another person in view and whom hipform judged (none when alone)."""
    if checks is None or not checks.found:
        return []
    t = seq.t_s
    seen = f"Another person is in view (from {t[checks.frames[0]]:.1f} s to {t[checks.frames[-1]]:.1f} s)"
    if checks.tracked == "mover":
        return [
            f"{seen}; hipform first followed the one standing still, and judged the one exercising instead."
        ]
    if len(checks.frames) < MIN_CHECKS_FOR_MOVER or not np.isfinite(checks.other_motion):
        return [
            f"{seen}, too briefly to tell who exercises; check the skeleton follows the person exercising."
        ]
    if checks.other_motion >= STILL_MOTION:
        return [
            f"{seen} and moving too; hipform judged the person it followed from the start — "
            "check the skeleton follows the person exercising, or crop the clip to them."
        ]
    return [f"{seen}, standing still; hipform judged the one moving."]


def shot_notes(shots: list[Shot], chosen: Shot) -> list[str]:
    """A sentence naming the shots left out and why (none for a single take)."""
    if len(shots) == 1:
        return []
    left_out = []
    for s in shots:
        if s is chosen:
            continue
        why = (
            s.why_not
            or "a whole-body shot too; hipform judges one shot at a time — trim the clip to judge it"
        )
        left_out.append(f"{s.span()} ({why})")
    return [
        f"The clip is edited: {len(shots)} shots. hipform judged the shot at {chosen.span()} "
        f"and left out {'; '.join(left_out)}. No rep is counted across a cut."
    ]
