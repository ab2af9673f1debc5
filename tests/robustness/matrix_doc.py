"""Run the bad-input matrix through ``hipform analyse`` and print its outcomes as a Markdown table.

Usage (from the project folder)::

    python tests/robustness/matrix_doc.py > /tmp/matrix.md

The table goes into docs/robustness.md. The same cases, with their expected
outcomes, are tests in test_bad_input_matrix.py.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from badclips import MAKERS  # noqa: E402
from test_bad_input_matrix import CASES, run_cli  # noqa: E402


def _comments() -> dict[str, str]:
    """Each row's trailing comment in the test table, by case id."""
    out = {}
    for line in (HERE / "test_bad_input_matrix.py").read_text().splitlines():
        m = re.search(r'row\(Case\("(\w+)".*\), "(\w+)"\),(?:\s+#\s*(.*))?$', line)
        if m:
            doc = (MAKERS[m.group(1)].__doc__ or "").strip().split("\n")[0]
            out[m.group(2)] = m.group(3) or doc or m.group(1).replace("_", " ")
    return out


def _result(report: dict) -> str:
    flags = sorted({f"{f['side'] or ''} {f['fault'].replace('_', ' ')}".strip() for f in report["flags"]})
    na = sorted({n["fault"].replace("_", " ") for n in report["not_assessed"] if n.get("rep") is None})
    parts = [
        f"{report['movement']['name']}, {report['view']} view, {report['clip']['n_frames']} frames, "
        f"{len(report['reps'])} rep(s)",
        "flags: " + (", ".join(flags) if flags else "none"),
    ]
    if na:
        parts.append("not assessed: " + ", ".join(na))
    return "; ".join(parts)


def main() -> None:
    comments = _comments()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        clips_dir = root / "clips"
        clips_dir.mkdir()
        made: dict[str, Path] = {}
        for param in CASES:
            case, cid = param.values[0], param.id
            if case.maker not in made:
                made[case.maker] = MAKERS[case.maker](clips_dir)
            t0 = time.perf_counter()
            proc, _tmp, out = run_cli(case, made[case.maker], root / cid)
            wall = time.perf_counter() - t0
            if proc.returncode == 0:
                outcome = _result(json.loads((out / "report.json").read_text()))
            else:
                outcome = proc.stderr.strip().removeprefix("hipform: ")
            env = " ".join(f"{k}={v}" for k, v in case.env.items())
            args = f"`--exercise {case.movement}`" + (f" `{env}`" if env else "")
            ok = "✓" if proc.returncode == case.exit_code else f"✗ (expected {case.exit_code})"
            rows.append(f"| {cid} | {comments.get(cid, '')} | {args} | {proc.returncode} {ok} | "
                        f"{outcome.replace('|', '/')} | {wall:.1f} |")  # fmt: skip
    print("| case | what | options | exit | result or message | s |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
