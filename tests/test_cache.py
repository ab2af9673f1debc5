"""Landmark cache: keys, atomic writes, damaged entries, and skipping the pose model on a hit."""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from dataclasses import replace

import numpy as np
import pytest
from clipmaker import pattern_frames, write_clip

import hipform.cache as cache_mod
from hipform.cache import (
    LandmarkCache,
    default_cache_dir,
    estimate_pose_cached,
    file_digest,
    options_fingerprint,
)
from hipform.errors import NoPersonError, VideoReadError
from hipform.pose import PoseOptions
from hipform.sequence import PoseSequence

DIGEST = "ab" * 32


def make_seq(rng: np.random.Generator, n: int = 40, detected: bool = True) -> PoseSequence:
    lm = rng.uniform(0, 400, (n, 33, 3)).astype(np.float32)
    if not detected:
        lm[:] = np.nan
    return PoseSequence(
        landmarks_px=lm,
        visibility=rng.uniform(0, 1, (n, 33)).astype(np.float32) * detected,
        world_m=rng.normal(0, 0.5, (n, 33, 3)).astype(np.float32),
        t_s=np.arange(n) / 30.0,
        width_px=480,
        height_px=640,
        fps=30.0,
        source="original.mp4",
        meta={"codec": "h264"},
    )


@pytest.fixture
def clip(tmp_path):
    """A real video whose header fits :func:`make_seq` (the cache checks entries against it).

    The pose step is replaced in these tests; the frames hold no person.
    """
    return write_clip(tmp_path / "clip.mp4", pattern_frames(40, width=480, height=640), fps=30)


@pytest.fixture
def fake_pose(monkeypatch, rng):
    """Replace the pose model: count the calls, return a fixed sequence."""
    calls = []
    seq = make_seq(rng)

    def fake(path, options=None, progress=None, require_person=True, estimator=None):
        calls.append((path, options))
        return replace(seq, source=path.name)

    monkeypatch.setattr(cache_mod, "estimate_pose", fake)
    return calls


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"HIPFORM_CACHE_DIR": "/c", "HIPFORM_HOME": "/h", "XDG_CACHE_HOME": "/x"}, "/c"),  # explicit wins
        ({"HIPFORM_HOME": "/h", "XDG_CACHE_HOME": "/x"}, "/h/cache"),  # inside hipform's home
        ({"XDG_CACHE_HOME": "/x"}, "/x/hipform"),  # the desktop convention
        ({}, "~/.cache/hipform"),  # the fallback
    ],
)
def test_cache_folder_follows_the_environment(monkeypatch, env, expected):
    for name in ("HIPFORM_CACHE_DIR", "HIPFORM_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert default_cache_dir() == __import__("pathlib").Path(expected).expanduser()


def test_digest_is_the_sha256_of_the_bytes(clip, tmp_path):
    assert file_digest(clip, chunk_bytes=7) == hashlib.sha256(clip.read_bytes()).hexdigest()
    copy = tmp_path / "renamed.mov"
    copy.write_bytes(clip.read_bytes())
    assert file_digest(copy) == file_digest(clip)


def test_every_pose_option_changes_the_key():
    base = PoseOptions()
    variants = [
        PoseOptions(max_side_px=480),
        PoseOptions(min_detection_confidence=0.6),
        PoseOptions(min_tracking_confidence=0.7),
        PoseOptions(smooth_landmarks=False),
    ]
    keys = {options_fingerprint(o) for o in variants}
    assert len(keys) == len(variants) and options_fingerprint(base) not in keys
    assert options_fingerprint(PoseOptions()) == options_fingerprint(base)


@pytest.mark.parametrize("digest", ["", "abc", "G" * 64, "../" * 20])  # short, not hex, a path
def test_bad_digests_are_refused(tmp_path, digest):
    with pytest.raises(ValueError, match="digest"):
        LandmarkCache(tmp_path).path_for(digest, PoseOptions())


def test_round_trip_and_clear(tmp_path, rng):
    cache = LandmarkCache(tmp_path / "cache")
    assert cache.load(DIGEST, PoseOptions()) is None  # nothing yet, folder not even made
    seq = make_seq(rng)
    path = cache.save(DIGEST, PoseOptions(), seq)
    assert path is not None and path.parent == tmp_path / "cache"
    got = cache.load(DIGEST, PoseOptions())
    np.testing.assert_array_equal(got.landmarks_px, seq.landmarks_px)
    np.testing.assert_array_equal(got.t_s, seq.t_s)
    assert got.meta == seq.meta
    assert cache.load(DIGEST, PoseOptions(max_side_px=480)) is None  # other options: a miss
    assert cache.entries() == [path] and cache.size_bytes() > 0
    assert cache.clear() == 1 and cache.entries() == []


def test_damaged_entry_is_a_miss_and_is_removed(tmp_path, rng):
    cache = LandmarkCache(tmp_path)
    path = cache.save(DIGEST, PoseOptions(), make_seq(rng))
    path.write_bytes(path.read_bytes()[:100])  # truncated, as after a full disk
    assert cache.load(DIGEST, PoseOptions()) is None
    assert not path.exists()


def test_unwritable_cache_does_not_fail(tmp_path, rng):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    assert LandmarkCache(blocker / "cache").save(DIGEST, PoseOptions(), make_seq(rng)) is None


def test_concurrent_writers_and_readers_never_see_half_a_file(tmp_path, rng):
    cache = LandmarkCache(tmp_path)
    seqs = [make_seq(np.random.default_rng(i), n=300) for i in range(6)]
    bad: list[str] = []

    def write(seq):
        for _ in range(5):
            cache.save(DIGEST, PoseOptions(), seq)

    entry = cache.path_for(DIGEST, PoseOptions())

    def read():
        for _ in range(40):
            existed = entry.exists()  # once there, it is only ever replaced whole
            got = cache.load(DIGEST, PoseOptions())
            if got is not None and not any(np.array_equal(got.landmarks_px, s.landmarks_px) for s in seqs):
                bad.append("a mix of two writes")
            if got is None and existed:
                bad.append("an existing entry could not be read")

    threads = [threading.Thread(target=write, args=(s,)) for s in seqs]
    threads += [threading.Thread(target=read) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bad == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp-")] == []  # no leftovers
    assert len(cache.entries()) == 1


def test_second_analysis_skips_the_pose_model(clip, tmp_path, fake_pose):
    cache = LandmarkCache(tmp_path / "cache")
    first = estimate_pose_cached(clip, cache=cache)
    assert not first.from_cache and len(fake_pose) == 1
    seen = []
    second = estimate_pose_cached(clip, cache=cache, progress=lambda done, total: seen.append((done, total)))
    assert second.from_cache and len(fake_pose) == 1
    assert seen == [(second.seq.n_frames, second.seq.n_frames)]
    np.testing.assert_array_equal(second.seq.landmarks_px, first.seq.landmarks_px)
    # same bytes under another name: still a hit, reported under the new name
    copy = tmp_path / "renamed.mov"
    copy.write_bytes(clip.read_bytes())
    third = estimate_pose_cached(copy, cache=cache)
    assert third.from_cache and third.seq.source == "renamed.mov" and len(fake_pose) == 1
    # other pose options: the model runs again
    assert not estimate_pose_cached(clip, PoseOptions(max_side_px=320), cache=cache).from_cache
    assert len(fake_pose) == 2


def test_changed_file_is_a_miss(clip, tmp_path, fake_pose):
    cache = LandmarkCache(tmp_path / "cache")
    estimate_pose_cached(clip, cache=cache)
    clip.write_bytes(clip.read_bytes() + b"!")
    assert not estimate_pose_cached(clip, cache=cache).from_cache
    assert len(fake_pose) == 2


def test_cache_can_be_switched_off(clip, tmp_path, fake_pose, monkeypatch):
    monkeypatch.setenv("HIPFORM_NO_CACHE", "1")
    cache = LandmarkCache(tmp_path / "cache")
    estimate_pose_cached(clip, cache=cache)
    assert not estimate_pose_cached(clip, cache=cache).from_cache
    assert len(fake_pose) == 2 and cache.entries() == []


def test_clip_with_nobody_is_cached_and_still_refused(clip, tmp_path, monkeypatch, rng):
    calls = []

    def nobody(path, options=None, progress=None, require_person=True, estimator=None):
        calls.append(path)
        return make_seq(rng, detected=False)

    monkeypatch.setattr(cache_mod, "estimate_pose", nobody)
    cache = LandmarkCache(tmp_path / "cache")
    for _ in range(2):
        with pytest.raises(NoPersonError, match="No person"):
            estimate_pose_cached(clip, cache=cache)
    assert len(calls) == 1  # the second refusal came from the cache
    assert estimate_pose_cached(clip, cache=cache, require_person=False).seq.detection_rate == 0


def test_missing_file_gives_the_usual_error(tmp_path):
    with pytest.raises(VideoReadError, match="Could not find"):
        estimate_pose_cached(tmp_path / "nope.mp4", cache=LandmarkCache(tmp_path))


def _entry_claiming_a_trillion_frames(path):
    """Rewrite the entry at ``path`` so its landmark header claims 10^12 frames (loading it: MemoryError)."""
    header = io.BytesIO()  # an .npy header and no data
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (10**12, 33, 3)}
    )
    with zipfile.ZipFile(path) as old:
        members = {name: old.read(name) for name in old.namelist()}
    with zipfile.ZipFile(path, "w") as new:
        for name, data in members.items():
            new.writestr(name, header.getvalue() if name == "landmarks_px.npy" else data)


def _entry_with_format_version_of_three_numbers(path):
    """Rewrite the entry at ``path`` with ``format_version`` of shape (3,) (loading it: TypeError)."""
    with np.load(path) as data:
        contents = {key: data[key] for key in data.files}
    np.savez(path, **{**contents, "format_version": np.array([1, 1, 1])})


@pytest.mark.parametrize(
    "damage", [_entry_claiming_a_trillion_frames, _entry_with_format_version_of_three_numbers]
)
def test_an_entry_that_fails_to_load_is_a_miss_and_is_rewritten(clip, tmp_path, fake_pose, damage):
    """Any load error is a miss, and fresh landmarks replace the entry (before: the clip stayed broken)."""
    cache = LandmarkCache(tmp_path / "cache")
    estimate_pose_cached(clip, cache=cache)
    [entry] = cache.entries()
    damage(entry)
    again = estimate_pose_cached(clip, cache=cache)
    assert not again.from_cache and len(fake_pose) == 2
    assert estimate_pose_cached(clip, cache=cache).from_cache and len(fake_pose) == 2  # rewritten whole


def test_an_entry_holding_another_clips_landmarks_is_a_miss(clip, tmp_path, fake_pose, rng):
    """An entry of 120 frames under a 40-frame clip's key: checked against the header, recomputed."""
    cache = LandmarkCache(tmp_path / "cache")
    cache.save(file_digest(clip), PoseOptions(), make_seq(rng, n=120))
    got = estimate_pose_cached(clip, cache=cache)
    assert not got.from_cache and got.seq.n_frames == 40 and len(fake_pose) == 1
    assert cache.load(file_digest(clip), PoseOptions()).n_frames == 40  # the wrong entry was replaced
    other_size = replace(make_seq(rng), width_px=640, height_px=480)  # right length, other frame size
    cache.save(file_digest(clip), PoseOptions(), other_size)
    assert not estimate_pose_cached(clip, cache=cache).from_cache and len(fake_pose) == 2
