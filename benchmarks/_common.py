"""Shared helpers for the benchmark scripts: clips, timing, tables, results.

Benchmarks are plain scripts (``python benchmarks/NAME.py``), not tests. Each
prints a table and saves its figures as JSON in ``benchmarks/results/`` so
``python benchmarks/make_docs.py`` can rebuild ``docs/performance.md``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIPS = ROOT.parent / "shared" / "clips"
RESULTS = ROOT / "benchmarks" / "results"
#: Generated clips go here, never into the project.
SCRATCH = Path(os.environ.get("HIPFORM_BENCH_TMP", "/tmp/hipform-bench"))

#: Load average when the benchmark started (figures are only as clean as the machine was quiet).
START_LOAD = round(os.getloadavg()[0], 2)

SIDE_CLIP = CLIPS / "squat_side_barbell.mp4"
CLIP_1080 = CLIPS / "squat_front_clean.mov"


def machine() -> dict:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for pkg in ("mediapipe", "av", "numpy", "opencv-contrib-python"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "-"
    return {
        "date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_1min_start": START_LOAD,
        "nice": os.nice(0),  # negative: run at a raised priority to get the CPU a quiet machine would give
        "load_1min": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "versions": versions,
    }


def wait_for_quiet(max_load: float = 0.7, timeout_s: float = 0.0) -> float:
    """Wait (up to ``timeout_s``) until the 1-minute load average drops below ``max_load``."""
    end = time.monotonic() + timeout_s
    while os.getloadavg()[0] > max_load and time.monotonic() < end:
        time.sleep(5)
    return os.getloadavg()[0]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def repeat(fn: Callable[[], float], runs: int) -> list[float]:
    """Call ``fn`` (which returns a figure) ``runs`` times and return the figures."""
    return [fn() for _ in range(runs)]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (also readable on a terminal)."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"  # noqa: E731
    out = [line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if value == 0 or abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def decision_scores(decisions: Iterable[tuple[str, bool]]) -> dict[str, float]:
    """Counts and scores of one fault's decisions, one per clip: (the truth, whether hipform flagged it).

    The truth is ``"fault"`` or ``"clean"``; a clip whose truth is neither (``"unclear"``: too close
    to the threshold) is left out. Returns ``tp``, ``fp``, ``fn``, ``tn``, ``precision``, ``recall``
    and ``f1`` (NaN where nothing was there to find and nothing was flagged).
    """
    tp = fp = fn = tn = 0
    for truth, said in decisions:
        if truth == "fault":
            tp, fn = tp + said, fn + (not said)
        elif truth == "clean":
            fp, tn = fp + said, tn + (not said)
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0 if tp + fp + fn else float("nan")
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall, "f1": f1}


def save_results(name: str, data: dict) -> Path:
    """Write ``data`` (plus the machine description) to ``benchmarks/results/NAME.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        # The script that ran, which is not always NAME (clip_analysis.py --workers-only saves
        # clip_analysis_workers.json).
        "command": f"python benchmarks/{Path(sys.argv[0]).name} " + " ".join(sys.argv[1:]),
        "machine": machine(),
        **data,
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def looped_clip(src: Path, seconds: float, name: str | None = None) -> Path:
    """A clip of about ``seconds`` made by repeating ``src`` end to end (no re-encoding).

    The packets are copied with shifted timestamps, so the result decodes
    exactly like the original played over and over. Cached in :data:`SCRATCH`.
    """
    import av

    SCRATCH.mkdir(parents=True, exist_ok=True)
    dst = SCRATCH / (name or f"{src.stem}_loop{int(seconds)}s.mp4")
    if dst.exists() and dst.stat().st_size > 0:
        return dst
    tmp = dst.with_suffix(".part.mp4")
    with av.open(str(src)) as inp:
        s_in = inp.streams.video[0]
        packets = [p for p in inp.demux(s_in) if p.size > 0]
        tb = s_in.time_base
        rate = s_in.average_rate or Fraction(30)
        pts = sorted(p.pts for p in packets)
        step = pts[1] - pts[0] if len(pts) > 1 else int(1 / (rate * tb))
        span = pts[-1] - pts[0] + step
        loops = max(1, int(round(seconds / float(span * tb))))
        with av.open(str(tmp), mode="w", format="mp4") as out:
            s_out = out.add_stream_from_template(s_in)
            rotation = s_in.metadata.get("rotate")
            if rotation:
                s_out.metadata["rotate"] = rotation
            for k in range(loops):
                for p in packets:
                    q = av.Packet(bytes(p))
                    q.pts = p.pts + k * span
                    q.dts = (p.dts if p.dts is not None else p.pts) + k * span
                    q.time_base = tb
                    q.is_keyframe = p.is_keyframe
                    q.stream = s_out
                    out.mux(q)
    os.replace(tmp, dst)
    return dst


def run_script(name: str, *args: str) -> None:
    """Run another benchmark script in a fresh interpreter (clean memory figures)."""
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), *args], check=True)


def write_doc_section(doc: Path, section: str) -> None:
    """Put ``section`` (starting with its ``## `` heading) into ``doc`` in place of the section with
    that heading (up to the next ``## ``), or at the end: each benchmark rewrites only its own part."""
    heading = section.split("\n", 1)[0]
    text = doc.read_text() if doc.exists() else ""
    # The heading must be a whole line: "## Live" is not the "### Live" of another section.
    start = ("\n" + text).find("\n" + heading + "\n")
    if start >= 0:
        end = text.find("\n## ", start + 3)
        text = text[:start] + section.rstrip() + "\n" + (text[end:] if end >= 0 else "")
    else:
        text = text.rstrip() + "\n\n" + section.rstrip() + "\n"
    doc.write_text(text.lstrip("\n"))


def write_doc_intro(doc: Path, intro: str) -> None:
    """Put ``intro`` (the page's title and opening paragraphs) into ``doc`` in place of everything
    before its first ``## `` section, keeping the sections."""
    text = doc.read_text() if doc.exists() else ""
    first = ("\n" + text).find("\n## ")
    doc.write_text(intro.rstrip() + "\n" + ("\n" + text[first:] if first >= 0 else ""))


def keep_other_sections(doc: Path, text: str) -> str:
    """``text`` (a whole page) followed by the ``## `` sections of ``doc`` that ``text`` does not have
    (written there by other benchmarks), so that regenerating the page keeps them."""
    old = doc.read_text() if doc.exists() else ""
    have = {line for line in text.splitlines() if line.startswith("## ")}
    parts = old.split("\n## ")[1:]
    kept = ["## " + p.rstrip() for p in parts if "## " + p.split("\n", 1)[0] not in have]
    return "\n\n".join([text.rstrip(), *kept]) + "\n"
