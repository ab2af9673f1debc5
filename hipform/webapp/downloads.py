"""The files for biomechanics tools the app offers to download beside the report (no Streamlit here)."""

from __future__ import annotations

from dataclasses import dataclass

from hipform.export import EXPORT_FORMATS, MIME_TYPES, c3d_available, export_bytes
from hipform.report import Report
from hipform.sequence import PoseSequence

#: Button label and file name ending of each export format.
EXPORT_LABELS = {
    "trc": ("Markers for OpenSim (TRC)", "-hipform-markers.trc"),
    "mot": ("Measures for OpenSim (MOT)", "-hipform-measures.mot"),
    "c3d": ("Markers (C3D)", "-hipform-markers.c3d"),
}

#: Said under the buttons: what the files hold, and why C3D may be missing.
EXPORT_NOTE = "For OpenSim and other biomechanics tools: markers in metres, y up (docs/export.md)."
C3D_MISSING_NOTE = "C3D needs the ezc3d library: pip install 'hipform[export]'."


@dataclass(frozen=True)
class Download:
    """One download button: its label, the file's bytes, name and media type, and a widget key."""

    label: str
    data: bytes
    file_name: str
    mime: str
    key: str


def export_downloads(seq: PoseSequence, report: Report, stem: str) -> list[Download]:
    """The TRC, MOT and (when ``ezc3d`` is installed) C3D files of one analysis.

    ``stem`` is the safe file name stem of the clip (:func:`hipform.webapp.media.safe_filename`).
    """
    formats = [fmt for fmt in EXPORT_FORMATS if fmt != "c3d" or c3d_available()]
    downloads = []
    for fmt in formats:
        label, ending = EXPORT_LABELS[fmt]
        name = f"{stem}{ending}"
        downloads.append(
            Download(label, export_bytes(fmt, seq, report, name), name, MIME_TYPES[fmt], f"dl_{fmt}")
        )
    return downloads
