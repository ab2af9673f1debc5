"""How to film so every fault can be judged: advice and small top-down diagrams (SVG).

The advice keys are those of :data:`hipform.kinematics.faults.SETUP_HINTS`
(``frontal``, ``frontal-feet``, ``side``); :func:`setup_key_for` picks one for
a not-assessed fault of a movement. :func:`filming_for` gives the advice shown before the first
upload: per movement, each camera view it can be filmed from, with a diagram and three lines
(where the phone goes, what must be in frame, what that view shows).
"""

from __future__ import annotations

from dataclasses import dataclass

from hipform.kinematics.faults import SETUP_HINTS
from hipform.kinematics.movements import REGISTRY
from hipform.plain import FAULT_NAMES
from hipform.webapp.media import UPLOAD_TYPES


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


def setup_key_for(movement: str, fault: str) -> str | None:
    """The set-up that lets ``fault`` be judged in ``movement`` (None when no rule judges it, from any
    set-up: none checks it, or each that does is withheld)."""
    spec = REGISTRY.get(movement)
    for rule in spec.rules if spec else ():
        if rule.fault == fault and not rule.withheld:
            return rule.setup
    return None


def advice_for(movement: str, fault: str, setup_text: str = "") -> SetupAdvice | None:
    """Advice for a not-assessed fault: from the report's own set-up text if it names one, else the table."""
    for key, hint in SETUP_HINTS.items():
        if setup_text and setup_text == hint:
            return ADVICE.get(key)
    key = setup_key_for(movement, fault)
    return ADVICE.get(key) if key else None


# ------------------------------------------------------------------ before the first upload
@dataclass(frozen=True)
class FilmingView:
    """One camera view of a movement: a diagram and three lines.

    Attributes
    ----------
    title : the view, e.g. "From behind".
    where : where to put the phone.
    in_frame : what must be in the picture.
    shows : what hipform judges from this view, in words.
    svg : top-down diagram of the set-up.
    """

    title: str
    where: str
    in_frame: str
    shows: str
    svg: str

    @property
    def lines(self) -> tuple[str, str, str]:
        """The three lines, as the page shows them."""
        return (f"**Phone:** {self.where}", f"**In frame:** {self.in_frame}", f"**Shows:** {self.shows}")


def faults_shown(movement: str, setup: str) -> str:
    """The faults a movement's rules judge from one set-up, in words ("knee collapse and pelvic drop");
    a withheld rule judges nothing."""
    spec = REGISTRY.get(movement)
    rules = [r for r in spec.rules if r.setup == setup and not r.withheld] if spec else []
    names = dict.fromkeys(FAULT_NAMES[r.fault].lower() for r in rules)
    items = list(names)
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


_REAR_SVG = _diagram((150.0, 12.0), "camera behind you, square on")
_FRONT_OR_REAR = (
    "3–4 m in front of you or behind you, square on, at knee-to-hip height, held still (a shelf or tripod)"
)
_WHOLE_BODY = "your whole body, feet included, from the first rep to the last"
_SIDE = "3–4 m to your side, square to the movement, at hip height, held still"
_LYING_SIDE = "on the floor or a low box 2–3 m to your side, square on, looking at your hips"
_AT_FEET = "low (floor or a low box) 2–3 m beyond your feet, looking along your body at the pelvis"


def _front(movement: str, in_frame: str = _WHOLE_BODY) -> FilmingView:
    return FilmingView(
        "From the front (or behind)",
        _FRONT_OR_REAR,
        in_frame,
        faults_shown(movement, "frontal"),
        ADVICE["frontal"].svg,
    )


def _side(movement: str, where: str, in_frame: str) -> FilmingView:
    return FilmingView("From the side", where, in_frame, faults_shown(movement, "side"), ADVICE["side"].svg)


def _feet(movement: str, in_frame: str) -> FilmingView:
    return FilmingView(
        "From your feet",
        _AT_FEET,
        in_frame,
        faults_shown(movement, "frontal-feet"),
        ADVICE["frontal-feet"].svg,
    )


#: How to film each movement, before the first upload (running is filmed two ways); a movement not
#: listed gets a view per set-up its rules need (:func:`filming_for`).
FILMING: dict[str, tuple[FilmingView, ...]] = {
    "squat": (_front("squat"),),
    "single-leg-squat": (_front("single-leg-squat"),),
    "single-leg-balance": (_front("single-leg-balance"),),
    "step-up": (_front("step-up", "your whole body and the step, feet included, for the whole set"),),
    "bridge": (_side("bridge", _LYING_SIDE, "shoulders, hips, knees and feet, for the whole set"),),
    "single-leg-bridge": (
        _feet("single-leg-bridge", "both hips and knees for the whole set"),
        _side("single-leg-bridge", _LYING_SIDE, "shoulders, hips, knees and feet, for the whole set"),
    ),
    "kickback": (_side("kickback", _SIDE, "hands to feet on all fours, the lifted leg at its highest too"),),
    "clamshell": (_feet("clamshell", "both knees, both heels and your shoulders, for the whole set"),),
    "band-walk": (_front("band-walk", "your whole body, feet included, with room for three steps each way"),),
    "running": (
        FilmingView(
            "From behind (treadmill)",
            "2–3 m behind the treadmill at hip height, square on, held still; "
            "60 frames/s or more if the phone can",
            "hips to feet of both legs at every step, for at least 10 steps",
            faults_shown("running", "frontal"),
            _REAR_SVG,
        ),
        FilmingView(
            "From the side (treadmill)",
            "2–3 m to the side at hip height, square to the treadmill; 60 frames/s or more if the phone can",
            "the whole runner, feet included, for at least 10 steps",
            "stride (overstriding, knee bend at landing), hip extension at toe-off, trunk lean, bounce and "
            "cadence — measured and reported, not flagged; knees and pelvis need the view from behind",
            ADVICE["side"].svg,
        ),
    ),
}

#: One sentence over a movement's views where the choice matters.
FILMING_HEADLINE = {
    "running": "Film from behind for knees and pelvis, from the side for stride and hip extension.",
    "single-leg-bridge": (
        "Film from your feet for the pelvis, from the side for back arching: a clip judges one view."
    ),
}

#: Said when hipform is to recognise the movement: choosing it shows its own set-up.
FILMING_ANY = (
    "Choose the movement above to see how to film it. In short: standing movements from the front or "
    "behind, bridges and kickbacks from the side, the phone held still with your whole body in frame."
)


def filming_for(movement: str) -> tuple[FilmingView, ...]:
    """How to film ``movement``: its own advice in :data:`FILMING`, else a view per set-up its rules
    need (a movement added later gets advice too); empty for "auto" or an unknown movement."""
    if movement in FILMING:
        return FILMING[movement]
    spec = REGISTRY.get(movement)
    setups = dict.fromkeys(r.setup for r in spec.rules) if spec else {}
    made = {
        "frontal": lambda: _front(movement),
        "side": lambda: _side(movement, _SIDE, _WHOLE_BODY),
        "frontal-feet": lambda: _feet(movement, "both hips and knees for the whole set"),
    }
    return tuple(made[setup]() for setup in setups)


def upload_formats() -> str:
    """The video types the uploader takes, in words: ``MP4, MOV, … or GIF`` (the uploader's own list)."""
    names = [ext.upper() for ext in UPLOAD_TYPES]
    return ", ".join(names[:-1]) + f" or {names[-1]}"
