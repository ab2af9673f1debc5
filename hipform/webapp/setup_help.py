"""How to film so every fault can be judged: advice and small top-down diagrams (SVG).

The advice keys are those of :data:`hipform.kinematics.faults.SETUP_HINTS`
(``frontal``, ``frontal-feet``, ``side``); :func:`setup_key_for` picks one for
a not-assessed fault of a movement.
"""

from __future__ import annotations

from dataclasses import dataclass

from hipform.kinematics.faults import SETUP_HINTS
from hipform.kinematics.movements import REGISTRY


@dataclass(frozen=True)
class SetupAdvice:
    """Camera set-up for one view."""

    key: str
    title: str
    steps: tuple[str, ...]
    svg: str


def _diagram(camera_xy: tuple[float, float], label: str, lying: bool = False) -> str:
    """Top-down sketch: the person (head, shoulders, feet) at the centre, a camera, its field of view."""
    cx, cy = camera_xy
    px, py = 150.0, 95.0
    if lying:  # person lying along x (bridges), feet towards +x
        body = (
            f'<ellipse cx="{px - 55}" cy="{py}" rx="13" ry="13" fill="#90a4ae"/>'
            f'<rect x="{px - 42}" y="{py - 17}" width="62" height="34" rx="12" fill="#90a4ae"/>'
            f'<path d="M {px + 20} {py - 10} L {px + 55} {py - 14} '
            f'M {px + 20} {py + 10} L {px + 55} {py + 14}" '
            f'stroke="#90a4ae" stroke-width="9" stroke-linecap="round"/>'
        )
    else:  # standing, seen from above, facing down the picture (towards "front")
        body = (
            f'<ellipse cx="{px}" cy="{py}" rx="40" ry="14" fill="#90a4ae"/>'
            f'<circle cx="{px}" cy="{py}" r="12" fill="#607d8b"/>'
            f'<path d="M {px - 6} {py + 12} L {px} {py + 22} L {px + 6} {py + 12}" fill="#607d8b"/>'
        )
    # field of view: a wedge from the camera towards the person
    dx, dy = px - cx, py - cy
    norm = (dx * dx + dy * dy) ** 0.5
    ux, uy = dx / norm, dy / norm
    wx, wy = -uy, ux
    reach = norm + 45
    ax, ay = cx + ux * reach + wx * 62, cy + uy * reach + wy * 62
    bx, by = cx + ux * reach - wx * 62, cy + uy * reach - wy * 62
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 220" width="300" height="220" '
        'font-family="sans-serif" font-size="12">'
        '<rect x="0" y="0" width="300" height="220" fill="#fafafa" stroke="#ddd"/>'
        f'<path d="M {cx} {cy} L {ax:.1f} {ay:.1f} L {bx:.1f} {by:.1f} Z" fill="rgba(66,165,245,0.15)"/>'
        f"{body}"
        f'<rect x="{cx - 12}" y="{cy - 8}" width="24" height="16" rx="3" fill="#263238"/>'
        f'<circle cx="{cx}" cy="{cy}" r="5" fill="#4fc3f7"/>'
        f'<text x="150" y="212" text-anchor="middle" fill="#37474f">{label}</text>'
        "</svg>"
    )


ADVICE: dict[str, SetupAdvice] = {
    "frontal": SetupAdvice(
        "frontal",
        "Film from the front (or from behind)",
        (
            "Put the camera straight in front of you, square on — not at an angle.",
            "Camera at knee-to-hip height, 3–4 m away, held still (a tripod or a shelf).",
            "Whole body in frame, feet included, for the whole set.",
            "Good light from the front; one person in view.",
        ),
        _diagram((150.0, 185.0), "camera in front, square on"),
    ),
    "frontal-feet": SetupAdvice(
        "frontal-feet",
        "Film from the feet",
        (
            "Lie with your feet towards the camera, 2–3 m away.",
            "Camera low (floor or a low box), looking along the body at the pelvis.",
            "Both hips and knees in frame for the whole set.",
        ),
        _diagram((265.0, 95.0), "camera at the feet, looking along the body", lying=True),
    ),
    "side": SetupAdvice(
        "side",
        "Film from the side",
        (
            "Put the camera side-on, square to the movement (90° to the way you face).",
            "Camera at hip height, 3–4 m away, held still.",
            "Shoulders, hips, knees and ankles in frame for the whole set.",
        ),
        _diagram((30.0, 95.0), "camera at the side, square on"),
    ),
}


def setup_key_for(exercise: str, fault: str) -> str | None:
    """The set-up that lets ``fault`` be judged in ``exercise`` (None when no rule checks it)."""
    movement = REGISTRY.get(exercise)
    for rule in movement.rules if movement else ():
        if rule.fault == fault:
            return rule.setup
    return None


def advice_for(exercise: str, fault: str, setup_text: str = "") -> SetupAdvice | None:
    """Advice for a not-assessed fault: from the report's own set-up text if it names one, else the table."""
    for key, hint in SETUP_HINTS.items():
        if setup_text and setup_text == hint:
            return ADVICE.get(key)
    key = setup_key_for(exercise, fault)
    return ADVICE.get(key) if key else None
