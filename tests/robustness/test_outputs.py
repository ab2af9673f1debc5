"""Outputs never destroy a user's file and never crash the process (issue 14, items 1, 3 and 7).

Every probe runs the real command line (``python -m hipform``) or the app's analysis job in a
process of its own, so a crash (the video encoder's segfault on a full disk) fails the test
instead of ending the test run. The full disk is a real file system filled up: a small tmpfs
mounted for the test when this process may mount one, else the kernel's file-size limit on the
hipform process (``RLIMIT_FSIZE``: the same write fails with EFBIG where a full disk gives ENOSPC).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from external import require_or_skip

from hipform.cache import LandmarkCache, file_digest
from hipform.pose import PoseOptions
from hipform.safe_write import is_partial
from hipform.sequence import load_sequence

ROOT = Path(__file__).resolve().parents[2]
#: A rendered clip (390 frames, 270x480) and the real MediaPipe landmarks found in it.
CLIP = ROOT / "sample_videos" / "running_rear_clean.mp4"
LANDMARKS = ROOT / "tests" / "data" / "running_rear_clean.npz"
#: Longest a probe may take before it counts as hung (a guard, not a speed check).
HANG_GUARD_S = 300


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """The environment of every probe: a landmark cache that already holds CLIP's landmarks.

    The probes are about writing; the landmarks MediaPipe found in CLIP (kept in tests/data)
    spare each of them the pose model.
    """
    cache = tmp_path_factory.mktemp("cache")
    assert LandmarkCache(cache).save(file_digest(CLIP), PoseOptions(), load_sequence(LANDMARKS))
    return {**os.environ, "HIPFORM_CACHE_DIR": str(cache)}


def hipform(*args, env: dict[str, str], cwd: Path | None = None, preexec_fn=None):
    return subprocess.run(
        [sys.executable, "-m", "hipform", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        preexec_fn=preexec_fn,
        timeout=HANG_GUARD_S,
    )


def the_sentence(res: subprocess.CompletedProcess) -> str:
    """hipform's one line on standard error (no traceback, nothing else)."""
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("hipform: "), res.stderr
    assert "internal error" not in lines[0]
    return lines[0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# ------------------------------------------------------------- 1: an output over an input
def _hard_link(folder: Path) -> None:
    os.link(folder / "v.mp4", folder / "also-v.mp4")


def _symlink(folder: Path) -> None:
    (folder / "link.csv").symlink_to(folder / "v.mp4")


@pytest.mark.parametrize(
    ("args", "make", "words"),
    [
        pytest.param(("annotate", "v.mp4", "-o", "v.mp4"), None, "-o v.mp4 names the input", id="annotate-o"),
        pytest.param(
            ("analyse", "v.mp4", "--video", "./v.mp4"), None, "--video v.mp4 names the input", id="video"
        ),
        pytest.param(  # this one exited 0 with the clip replaced by JSON
            ("analyse", "v.mp4", "--json", "v.mp4"), None, "--json v.mp4 names the input", id="json"
        ),
        pytest.param(
            ("analyse", "v.mp4", "--csv", "also-v.mp4"), _hard_link, "--csv also-v.mp4 names", id="hard-link"
        ),
        pytest.param(
            ("analyse", "v.mp4", "--reps-csv", "link.csv"),
            _symlink,
            "--reps-csv link.csv names",
            id="symlink",
        ),
        pytest.param(  # numpy adds the .npz
            ("pose", "lm.npz", "-o", "lm"), None, "-o lm.npz names the input", id="pose-npz"
        ),
        pytest.param(
            ("analyse", "v.mp4", "--json", "r.out", "--csv", "./r.out"),
            None,
            "--json and --csv both name r.out",
            id="two-outputs",
        ),
    ],
)
def test_an_output_over_an_input_is_refused_and_the_input_kept_byte_for_byte(
    tmp_path, env, args, make, words
):
    shutil.copy(CLIP, tmp_path / "v.mp4")
    shutil.copy(LANDMARKS, tmp_path / "lm.npz")
    if make is not None:
        make(tmp_path)
    before = {name: sha256(tmp_path / name) for name in names(tmp_path)}
    res = hipform(*args, env=env, cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    assert words in the_sentence(res)
    assert {
        name: sha256(tmp_path / name) for name in names(tmp_path)
    } == before  # nothing new, nothing changed


# ------------------------------------------------------------- a disk that fills up
class SmallDisk:
    """A folder whose files can grow by only ``free_bytes`` more (see the module docstring).

    ``mounted``: a tmpfs is mounted on the folder and filled for real; otherwise
    :attr:`preexec_fn` puts ``RLIMIT_FSIZE`` on the process the test starts.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir()
        try:
            done = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True
            )
            self.mounted = done.returncode == 0
        except FileNotFoundError:  # no mount command
            self.mounted = False
        self._limit: int | None = None

    @property
    def words(self) -> str:
        """How hipform says the disk is full here."""
        return "Not enough disk space to write" if self.mounted else "larger than this system allows"

    def fill(self, free_bytes: int) -> None:
        """Leave ``free_bytes`` (rounded to pages on a tmpfs) for new data."""
        if not self.mounted:
            self._limit = free_bytes
            return
        fd = os.open(self.folder / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 65536)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)
        filler = self.folder / "filler"
        os.truncate(filler, max(0, filler.stat().st_size - free_bytes))

    @property
    def preexec_fn(self):
        """For ``subprocess``: the file-size limit when no tmpfs could be mounted, else None."""
        if self._limit is None:
            return None
        limit = self._limit

        def limit_file_size() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() fails with EFBIG instead of killing
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        return limit_file_size

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.folder)], capture_output=True)


@pytest.fixture
def small_disk(tmp_path):
    disk = SmallDisk(tmp_path / "disk")
    yield disk
    disk.unmount()


def assert_nothing_half_written(folder: Path, expected: set[str]) -> None:
    found = names(folder) - {"filler"}
    assert not [n for n in found if is_partial(n)], found
    assert found == expected


# ------------------------------------------------------------- 3: a full disk while drawing
@pytest.mark.parametrize(
    ("command", "free_bytes"),
    [
        ("annotate", 0),  # full before the header: PyAV crashed the process (segfault, exit -11)
        ("analyse", 20_000),  # full part-way through the frames
    ],
)
def test_a_video_to_a_full_disk_is_one_sentence_exit_9_and_no_file(small_disk, env, command, free_bytes):
    video = small_disk.folder / "annotated.mp4"
    video.write_bytes(b"an annotated video from an earlier run")
    small_disk.fill(free_bytes)
    option = "-o" if command == "annotate" else "--video"
    res = hipform(command, CLIP, option, video, "-q", env=env, preexec_fn=small_disk.preexec_fn)
    assert res.returncode == 9, (res.returncode, res.stderr)
    assert small_disk.words in the_sentence(res) and str(video) in the_sentence(res)
    assert video.read_bytes() == b"an annotated video from an earlier run"  # the earlier file is kept
    assert_nothing_half_written(small_disk.folder, {"annotated.mp4"})


APP_JOB = textwrap.dedent(
    """
    import os, resource, signal, sys
    from pathlib import Path

    from hipform.analysis_job import run_analysis
    from hipform.errors import HipformError

    clip, full, spare, limit = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    if limit >= 0:  # the file-size limit stands in for the full disk during the first analysis only
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        run_analysis(clip, full)
        print("no error")
    except HipformError as exc:
        print(f"error {exc.exit_code}: {exc}")
    still_open = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # the listing's own descriptor, closed by now
            continue
        if str(full) in target:
            still_open.append(target)
    print("files still open there:", still_open)
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    result = run_analysis(clip, spare)  # the same server process goes on serving
    print(f"then served {result.annotated_path.name}, {len(result.report.reps)} reps")
    """
)


def test_the_app_job_says_the_disk_is_full_and_its_process_goes_on_serving(small_disk, env, tmp_path):
    small_disk.fill(0)
    spare = tmp_path / "spare"
    limit = -1 if small_disk.mounted else 0
    res = subprocess.run(
        [sys.executable, "-c", APP_JOB, str(CLIP), str(small_disk.folder), str(spare), str(limit)],
        capture_output=True,
        text=True,
        env=env,
        timeout=HANG_GUARD_S,
    )
    assert res.returncode == 0, (res.returncode, res.stderr[-2000:])  # a segfault was -11
    said, still_open, served = res.stdout.splitlines()
    assert said.startswith("error 9: ") and small_disk.words in said and f"{small_disk.folder}/" in said
    assert still_open == "files still open there: []"  # a server would run out of descriptors
    assert served.startswith("then served") and [p.suffix for p in spare.iterdir()] == [".mp4"]
    assert_nothing_half_written(small_disk.folder, set())


# ------------------------------------------------------------- 7: report files that cannot be written
def test_reports_to_a_full_disk_are_one_sentence_exit_9_and_the_old_report_is_kept(small_disk, env):
    report, measures = small_disk.folder / "r.json", small_disk.folder / "m.csv"
    report.write_text('{"report": "from an earlier run"}\n')
    small_disk.fill(0)
    res = hipform(
        "analyse", LANDMARKS, "--json", report, "--csv", measures, env=env, preexec_fn=small_disk.preexec_fn
    )
    assert res.returncode == 9, res.stderr  # was 1, "internal error … please report it"
    assert small_disk.words in the_sentence(res) and str(report) in the_sentence(res)
    assert report.read_text() == '{"report": "from an earlier run"}\n'
    assert_nothing_half_written(small_disk.folder, {"r.json"})  # no 0-byte m.csv either


def test_batch_outputs_to_a_full_disk_are_one_sentence_exit_9_and_no_file(small_disk, env, tmp_path):
    clips = tmp_path / "clips"
    clips.mkdir()
    shutil.copy(CLIP, clips)
    out = small_disk.folder / "reports"
    out.mkdir()
    small_disk.fill(0)
    res = hipform("batch", clips, "--out", out, "-q", env=env, preexec_fn=small_disk.preexec_fn)
    assert res.returncode == 9, res.stderr
    assert small_disk.words in the_sentence(res) and str(out / "batch_summary.csv") in the_sentence(res)
    assert_nothing_half_written(out, set())  # neither the clip's report nor the summary, whole or half


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder on a read-only tmpfs; without the right to mount, one this user may not write in."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    try:
        mounted = (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)], capture_output=True
            ).returncode
            == 0
        )
    except FileNotFoundError:
        mounted = False
    if not mounted:
        # root writes in any folder: without the right to mount it has no read-only one
        require_or_skip(os.geteuid() != 0, "root without the right to mount a read-only tmpfs")
        folder.chmod(0o555)
    yield folder
    if mounted:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
    else:
        folder.chmod(0o755)


@pytest.mark.parametrize("where", ["missing folder", "read-only"])
def test_a_report_that_cannot_be_written_is_one_sentence_exit_9(tmp_path, env, request, where):
    if where == "missing folder":
        report, words = tmp_path / "no such folder" / "r.json", "there is no folder"
    else:
        report = request.getfixturevalue("read_only_folder") / "r.json"
        words = "read-only disk" if os.geteuid() == 0 else "No permission"
    res = hipform("analyse", LANDMARKS, "--json", report, env=env)
    assert res.returncode == 9, res.stderr
    assert f"{report}" in the_sentence(res) and words in the_sentence(res)
    assert not report.parent.exists() or names(report.parent) == set()


def test_a_closed_stdout_is_quiet_and_the_report_is_still_written(tmp_path, env):
    report = tmp_path / "r.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hipform", "analyse", str(LANDMARKS), "--json", str(report)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**env, "PYTHONUNBUFFERED": "1"},  # every print goes out at once, as on a terminal
    )
    proc.stdout.close()  # the reader is gone before the first line (`| head -0`)
    _, stderr = proc.communicate(timeout=HANG_GUARD_S)
    assert (proc.returncode, stderr.decode()) == (0, "")  # was 1: "internal error (BrokenPipeError…)"
    assert json.loads(report.read_text())["summary"]
