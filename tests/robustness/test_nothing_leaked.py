"""Nothing leaked: no network at run time, safe download names, no arbitrary files served.

The network tests replace the socket layer in this process: any connection
other than loopback (or a Unix socket) and any name lookup other than a local
name is recorded and refused. The whole pipeline (pose → analyse → annotate →
history) and the app's upload flow then run, and nothing may have been tried.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import tomllib
from appserver import running_app
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "", None}


def _is_local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def no_network(monkeypatch):
    """Refuse (and record) every non-loopback connection and every non-local name lookup."""
    attempts: list[str] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_sendto, real_getaddrinfo = socket.socket.sendto, socket.getaddrinfo
    real_create_connection = socket.create_connection

    def allowed(sock, address) -> bool:
        return sock.family == getattr(socket, "AF_UNIX", None) or _is_local(address[0])

    def connect(sock, address):
        if not allowed(sock, address):
            attempts.append(f"connect {address}")
            raise ConnectionRefusedError(f"network blocked by the test: {address}")
        return real_connect(sock, address)

    def connect_ex(sock, address):
        if not allowed(sock, address):
            attempts.append(f"connect_ex {address}")
            return 111
        return real_connect_ex(sock, address)

    def sendto(sock, data, *args):
        address = args[-1]
        if sock.family != getattr(socket, "AF_UNIX", None) and not _is_local(address[0]):
            attempts.append(f"sendto {address}")
            raise ConnectionRefusedError(f"network blocked by the test: {address}")
        return real_sendto(sock, data, *args)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_local(host):
            attempts.append(f"getaddrinfo {host}")
            raise socket.gaierror(socket.EAI_NONAME, f"name lookup blocked by the test: {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    def create_connection(address, *args, **kwargs):
        if not _is_local(address[0]):
            attempts.append(f"create_connection {address}")
            raise ConnectionRefusedError(f"network blocked by the test: {address}")
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", sendto)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return attempts


def test_the_blocker_blocks(no_network):
    with pytest.raises(OSError):
        socket.create_connection(("example.com", 443), timeout=1)
    with pytest.raises(OSError), socket.socket() as s:
        s.connect(("203.0.113.7", 80))  # TEST-NET-3
    assert len(no_network) == 2
    no_network.clear()
    with socket.socket() as server:  # loopback still works
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
    assert no_network == []


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    from badclips import normal

    return normal(tmp_path_factory.mktemp("clip"))


@pytest.mark.slow
def test_whole_pipeline_runs_offline(no_network, clip, tmp_path):
    from hipform.annotate import annotate_video
    from hipform.cache import file_digest as file_sha256
    from hipform.history import History
    from hipform.kinematics import analyse
    from hipform.pose import estimate_pose

    seq = estimate_pose(clip)
    report = analyse(seq, movement="squat")
    assert report.flags_for("knee_collapse")
    out = annotate_video(clip, seq, tmp_path / "annotated.mp4")
    with History(tmp_path / "history.sqlite") as hist:
        sid = hist.save(
            report.to_dict(),
            source_name=clip.name,
            file_sha256=file_sha256(clip),
            width_px=seq.width_px,
            height_px=seq.height_px,
            annotated_video=out,
        )
        assert hist.get(sid) is not None
    assert no_network == [], no_network


# ------------------------------------------------------------------------ the app
NASTY_NAMES = [
    "../../etc/passwd.mp4",  # climbs out of the folder
    "..\\..\\Windows\\System32\\evil.MOV",  # the Windows way
    "my squat <script>alert(1)</script> .mp4",  # markup
    "clip\x00.sh.mp4",  # a NUL byte
    "\u202egnp.mp4",  # right-to-left override, to disguise the extension
    "  .hidden.mp4",  # a dot file
    "séance d'été — genou.mp4",  # ordinary accents and punctuation are fine
]


def _safe(name: str) -> bool:
    return (
        bool(name)
        and "/" not in name
        and "\\" not in name
        and not name.startswith(".")  # no dot file, and never "." or ".." ("a..b" is a plain name)
        and not any(ord(c) < 32 or c in '<>:"|?*\u202e' for c in name)
        and len(name) <= 160
    )


@settings(max_examples=300, deadline=None)
@given(name=st.text(max_size=300))
def test_safe_filename_never_gives_a_path(name):
    from hipform.webapp.media import safe_filename

    safe = safe_filename(name)
    assert _safe(safe), repr(safe)
    assert Path(safe).name == safe
    from hipform.webapp.downloads import EXPORT_LABELS

    endings = ("-hipform-report.json", "-hipform-measures.csv", "-hipform.mp4")
    for suffix in endings + tuple(ending for _label, ending in EXPORT_LABELS.values()):
        download = (Path(safe).stem or "clip") + suffix  # how the app names its downloads
        assert _safe(download) and Path(download).name == download


@pytest.mark.parametrize("name", NASTY_NAMES)
def test_nasty_names(name):
    from hipform.webapp.media import safe_filename

    assert _safe(safe_filename(name))


@pytest.fixture
def app_home(tmp_path, monkeypatch, clip):
    home = tmp_path / "home"
    samples = tmp_path / "samples"
    samples.mkdir()
    monkeypatch.setenv("HIPFORM_HOME", str(home))
    monkeypatch.setenv("HIPFORM_SAMPLES", str(samples))  # no bundled samples: the upload box shows
    monkeypatch.delenv("HIPFORM_DB", raising=False)
    return home


@pytest.mark.slow
def test_app_upload_offline_with_safe_download_names(no_network, app_home, clip, monkeypatch):
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import AppTest

    names: set[str] = set()
    real_load = MemoryMediaFileStorage.load_and_get_id

    def load(self, path_or_data, mimetype, kind, filename=None):  # records each download's file name
        if filename:
            names.add(filename)
        return real_load(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load)

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.run()
    at.selectbox(key="movement").set_value("squat")
    at.run()
    at.file_uploader(key="upload").set_value(("../../etc/passwd.mp4", clip.read_bytes(), "video/mp4"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert "right knee collapse" in " ".join(at.selectbox(key="flag_choice").options)
    assert sorted(names) == [
        "passwd-hipform-markers.c3d",
        "passwd-hipform-markers.trc",
        "passwd-hipform-measures.csv",
        "passwd-hipform-measures.mot",
        "passwd-hipform-report.json",
        "passwd-hipform.mp4",
    ]
    assert no_network == [], no_network
    tmp = app_home / "tmp"
    assert not tmp.exists() or not any(tmp.rglob("*"))


# ------------------------------------------------------------------------ what the server serves
def test_streamlit_config_serves_nothing_extra():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableStaticServing"] is False
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] in ("none", False)
    assert not (ROOT / "static").exists() or not config["server"]["enableStaticServing"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PROBES = [
    "/app/static/app.py",  # static serving (off)
    "/app/static/../app.py",
    "/app/static/%2e%2e/%2e%2e/etc/passwd",
    "/static/../../app.py",
    "/media/../../../../etc/passwd",
    "/media/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/../../../../etc/passwd",
    "/app.py",
    "/hipform/history.py",
    "/.streamlit/config.toml",
    "/_stcore/../app.py",
    "/component/../../app.py",
]


@pytest.mark.slow
def test_server_does_not_serve_arbitrary_paths(tmp_path):
    secrets = [b"def page_analyse", b"class History", b"root:x:0:0", b"enableStaticServing"]
    with running_app(tmp_path / "streamlit.log", HIPFORM_HOME=str(tmp_path / "home")) as base:
        for path in PROBES:
            try:
                with urllib.request.urlopen(base + path, timeout=10) as r:
                    body = r.read()
            except urllib.error.HTTPError as exc:
                assert exc.code in (400, 403, 404), (path, exc.code)
                continue
            # a 200 may only be the app's own page shell, never a file from disk
            assert not any(s in body for s in secrets), path
