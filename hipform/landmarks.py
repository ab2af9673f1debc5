"""MediaPipe's 33 pose landmarks by name, and the skeleton that joins them.

Logic addresses landmarks as ``Landmark.LEFT_KNEE``, never as bare indices.
"""

from __future__ import annotations

from enum import IntEnum


class Landmark(IntEnum):
    """Index of each BlazePose landmark in a ``(..., 33, ...)`` array."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32

    @property
    def column(self) -> str:
        """Lower-case name used in CSV columns, e.g. ``left_knee``."""
        return self.name.lower()

    @property
    def mirror(self) -> Landmark:
        """The same landmark on the other side of the body (itself for the nose)."""
        name = self.name
        if name.startswith("LEFT_"):
            return Landmark["RIGHT_" + name[5:]]
        if name.startswith("RIGHT_"):
            return Landmark["LEFT_" + name[6:]]
        if name.startswith("MOUTH_"):
            return Landmark.MOUTH_RIGHT if name == "MOUTH_LEFT" else Landmark.MOUTH_LEFT
        return self


N_LANDMARKS = len(Landmark)

#: Index array that swaps every left landmark with its right twin.
MIRROR_ORDER = tuple(int(lm.mirror) for lm in Landmark)

L = Landmark
#: Bones drawn on annotated video: pairs of landmarks.
SKELETON: tuple[tuple[Landmark, Landmark], ...] = (
    (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
    (L.LEFT_HIP, L.RIGHT_HIP),
    (L.LEFT_SHOULDER, L.LEFT_HIP),
    (L.RIGHT_SHOULDER, L.RIGHT_HIP),
    (L.LEFT_SHOULDER, L.LEFT_ELBOW),
    (L.LEFT_ELBOW, L.LEFT_WRIST),
    (L.RIGHT_SHOULDER, L.RIGHT_ELBOW),
    (L.RIGHT_ELBOW, L.RIGHT_WRIST),
    (L.LEFT_HIP, L.LEFT_KNEE),
    (L.LEFT_KNEE, L.LEFT_ANKLE),
    (L.LEFT_ANKLE, L.LEFT_HEEL),
    (L.LEFT_HEEL, L.LEFT_FOOT_INDEX),
    (L.LEFT_ANKLE, L.LEFT_FOOT_INDEX),
    (L.RIGHT_HIP, L.RIGHT_KNEE),
    (L.RIGHT_KNEE, L.RIGHT_ANKLE),
    (L.RIGHT_ANKLE, L.RIGHT_HEEL),
    (L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX),
    (L.RIGHT_ANKLE, L.RIGHT_FOOT_INDEX),
)
#: The leg segments (hip–knee, knee–ankle of each leg) whose image length tells whether a body is
#: tracked steadily (see :func:`hipform.kinematics.grading.steady_windows`).
LEG_SEGMENTS: tuple[tuple[Landmark, Landmark], ...] = (
    (L.LEFT_HIP, L.LEFT_KNEE),
    (L.LEFT_KNEE, L.LEFT_ANKLE),
    (L.RIGHT_HIP, L.RIGHT_KNEE),
    (L.RIGHT_KNEE, L.RIGHT_ANKLE),
)
del L
