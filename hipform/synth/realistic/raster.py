"""A z-buffer rasteriser for triangles, in numpy, and the Lambert shading the realistic renderer uses.

Conventions as in :mod:`hipform.synth.camera`: camera coordinates are (right, down, forward)
metres; a point projects to ``x = f·X/Z + W/2``, ``y = f·Y/Z + H/2`` pixels; pixel ``(u, v)``
is covered by a triangle when its centre ``(u + 0.5, v + 0.5)`` lies inside (edges included).
Where triangles overlap, the one nearest the camera at that pixel centre wins (depth and
barycentric weights are interpolated perspective-correctly).

Every triangle is expanded into the pixel centres of its screen bounding box at once (in
chunks of at most :data:`MAX_CANDIDATES`), so a 26k-triangle body at 1440×2560 takes a fraction
of a second on one core.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Candidate (triangle, pixel) pairs tested in one go; bounds the memory (~100 bytes each).
MAX_CANDIDATES = 3_000_000
#: Points nearer the camera than this (metres) are not drawn.
NEAR_M = 0.05


@dataclass(frozen=True)
class Raster:
    """What :func:`rasterise` found at each pixel.

    The arrays cover only the window of the image the triangles can reach: rows ``row0`` to
    ``row0 + h`` and columns ``col0`` to ``col0 + w`` (:meth:`window`).

    Attributes
    ----------
    triangle : (h, w) int, the visible triangle's index, -1 where none.
    barycentric : (h, w, 3) float32, perspective-correct weights of its three vertices.
    depth_m : (h, w) float32, forward distance Z of the visible surface, inf where none.
    row0, col0 : the window's top-left pixel in the image.
    """

    triangle: np.ndarray
    barycentric: np.ndarray
    depth_m: np.ndarray
    row0: int = 0
    col0: int = 0

    @property
    def window(self) -> tuple[slice, slice]:
        """The image rows and columns the arrays cover (index an (H, W) image with it)."""
        h, w = self.triangle.shape
        return slice(self.row0, self.row0 + h), slice(self.col0, self.col0 + w)

    def full(self, height_px: int, width_px: int) -> Raster:
        """The same raster on the whole (H, W) image."""
        tri = np.full((height_px, width_px), -1, self.triangle.dtype)
        bary = np.zeros((height_px, width_px, 3), np.float32)
        depth = np.full((height_px, width_px), np.inf, np.float32)
        tri[self.window], bary[self.window], depth[self.window] = (
            self.triangle,
            self.barycentric,
            self.depth_m,
        )
        return Raster(tri, bary, depth)

    @property
    def covered(self) -> np.ndarray:
        """(H, W) bool, pixels a triangle covers."""
        return self.triangle >= 0


def rasterise(
    points_cam: np.ndarray,
    triangles: np.ndarray,
    focal_px: float,
    width_px: int,
    height_px: int,
    cull_back_faces: bool = False,
) -> Raster:
    """Draw triangles into a z-buffer.

    Parameters
    ----------
    points_cam : (N, 3) vertices in camera coordinates (right, down, forward), metres.
    triangles : (M, 3) vertex indices.
    focal_px : focal length in pixels.
    width_px, height_px : image size.
    cull_back_faces : skip triangles facing away from the camera; a face is front-facing when its
        vertices run counter-clockwise seen from outside (right-hand normal towards the camera).

    Returns
    -------
    Raster

    Raises
    ------
    ValueError
        Wrong array shapes or a non-positive focal length or size.
    """
    p = np.asarray(points_cam, float)
    tri = np.asarray(triangles, np.int64)
    if p.ndim != 2 or p.shape[1] != 3:
        raise ValueError(f"points_cam must be (N, 3), got {p.shape}")
    if tri.ndim != 2 or tri.shape[1] != 3:
        raise ValueError(f"triangles must be (M, 3), got {tri.shape}")
    if not (focal_px > 0 and width_px > 0 and height_px > 0):
        raise ValueError("focal_px, width_px and height_px must be positive")
    w, h = int(width_px), int(height_px)
    z = p[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        sx = focal_px * p[:, 0] / z + w / 2
        sy = focal_px * p[:, 1] / z + h / 2
    keep = np.all(z[tri] > NEAR_M, axis=1)
    if cull_back_faces:
        a, b, c = p[tri[:, 0]], p[tri[:, 1]], p[tri[:, 2]]
        normal = np.cross(b - a, c - a)
        keep &= np.einsum("ij,ij->i", normal, a) < 0  # the normal points back towards the camera
    ids = np.flatnonzero(keep)
    x, y = sx[tri[ids]], sy[tri[ids]]  # (m, 3) screen corners
    u0 = np.maximum(np.ceil(x.min(1) - 0.5), 0).astype(np.int64)
    u1 = np.minimum(np.floor(x.max(1) - 0.5), w - 1).astype(np.int64)
    v0 = np.maximum(np.ceil(y.min(1) - 0.5), 0).astype(np.int64)
    v1 = np.minimum(np.floor(y.max(1) - 0.5), h - 1).astype(np.int64)
    bw, bh = u1 - u0 + 1, v1 - v0 + 1
    area = (x[:, 1] - x[:, 0]) * (y[:, 2] - y[:, 0]) - (x[:, 2] - x[:, 0]) * (y[:, 1] - y[:, 0])
    live = (bw > 0) & (bh > 0) & (np.abs(area) > 1e-12)
    ids, x, y, u0, v0, bw, bh, area = (a[live] for a in (ids, x, y, u0, v0, bw, bh, area))
    if len(ids) == 0:  # nothing in view: an empty window
        return Raster(
            np.full((0, 0), -1, np.int64), np.zeros((0, 0, 3), np.float32), np.zeros((0, 0), np.float32)
        )
    # buffers for the window the triangles reach only (a body fills a fraction of the frame)
    row0, col0 = int(v0.min()), int(u0.min())
    hh, ww = int((v0 + bh).max()) - row0, int((u0 + bw).max()) - col0
    u0, v0 = u0 - col0, v0 - row0
    x, y = x - col0, y - row0
    tri_out = np.full(hh * ww, -1, np.int64)
    bary_out = np.zeros((hh * ww, 3), np.float32)
    depth_out = np.full(hh * ww, np.inf, np.float32)
    counts = bw * bh
    ends = np.cumsum(counts)
    start = 0
    while start < len(ids):
        # a chunk of triangles whose candidate pixels fit in MAX_CANDIDATES (at least one triangle)
        stop = max(start + 1, int(np.searchsorted(ends, (ends[start - 1] if start else 0) + MAX_CANDIDATES)))
        sl = slice(start, stop)
        _draw_chunk(
            ids[sl],
            x[sl],
            y[sl],
            u0[sl],
            v0[sl],
            bw[sl],
            counts[sl],
            area[sl],
            z,
            tri,
            ww,
            tri_out,
            bary_out,
            depth_out,
        )
        start = stop
    return Raster(
        tri_out.reshape(hh, ww), bary_out.reshape(hh, ww, 3), depth_out.reshape(hh, ww), row0=row0, col0=col0
    )


def _draw_chunk(
    ids: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    u0: np.ndarray,
    v0: np.ndarray,
    bw: np.ndarray,
    counts: np.ndarray,
    area: np.ndarray,
    z: np.ndarray,
    tri: np.ndarray,
    w: int,
    tri_out: np.ndarray,
    bary_out: np.ndarray,
    depth_out: np.ndarray,
) -> None:
    """Test every pixel centre of each triangle's box; keep the nearest hit per pixel (in place)."""
    total = int(counts.sum())
    k = np.repeat(np.arange(len(ids), dtype=np.int32), counts)
    offset = np.arange(total, dtype=np.int32) - np.repeat(
        (np.cumsum(counts) - counts).astype(np.int32), counts
    )
    row, col = np.divmod(offset, bw.astype(np.int32)[k])
    px = u0.astype(np.int32)[k] + col
    py = v0.astype(np.int32)[k] + row
    # edge functions (float32: a pixel is ~1e-3 of the image): corner i's weight is the signed area
    # of the sub-triangle opposite it
    xs, ys = x.astype(np.float32), y.astype(np.float32)
    cx, cy = px + np.float32(0.5), py + np.float32(0.5)
    dx0, dy0 = xs[k, 0] - cx, ys[k, 0] - cy
    dx1, dy1 = xs[k, 1] - cx, ys[k, 1] - cy
    dx2, dy2 = xs[k, 2] - cx, ys[k, 2] - cy
    inv_area = (1.0 / area).astype(np.float32)[k]
    b0 = (dx1 * dy2 - dx2 * dy1) * inv_area
    b1 = (dx2 * dy0 - dx0 * dy2) * inv_area
    b2 = np.float32(1.0) - b0 - b1
    inside = (b0 >= 0) & (b1 >= 0) & (b2 >= 0)
    if not inside.any():
        return
    k, pixel = k[inside], (py * w + px)[inside]
    b = np.stack([b0[inside], b1[inside], b2[inside]], -1)
    inv = b / z[tri[ids[k]]].astype(np.float32)  # perspective-correct: 1/Z is linear on screen
    inv_z = inv.sum(1)
    depth = (1.0 / inv_z).astype(np.float32)  # compared with the float32 buffer it is stored in
    np.minimum.at(depth_out, pixel, depth)
    win = depth <= depth_out[pixel]  # the nearest at its pixel (a tie on a shared edge: either)
    pix = pixel[win]
    tri_out[pix] = ids[k[win]]
    bary_out[pix] = inv[win] / inv_z[win, None]


def vertex_normals(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """(N, 3) unit normals: the area-weighted sum of the adjacent faces' right-hand normals."""
    v = np.asarray(vertices, float)
    t = np.asarray(triangles, np.int64)
    face = np.cross(v[t[:, 1]] - v[t[:, 0]], v[t[:, 2]] - v[t[:, 0]])
    out = np.zeros_like(v)
    for corner in range(3):
        np.add.at(out, t[:, corner], face)
    norm = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norm > 0, norm, 1.0)


def lambert(
    normals: np.ndarray, albedo: np.ndarray, to_light: np.ndarray, up: np.ndarray, to_camera: np.ndarray
) -> np.ndarray:
    """Shaded colour of surface points: a directional light, a sky term and a little rim darkening.

    Parameters
    ----------
    normals : (..., 3) unit surface normals.
    albedo : (..., 3) RGB in [0, 1].
    to_light, up : (3,) unit directions towards the light and up, same frame as ``normals``.
    to_camera : (..., 3) unit directions from the points towards the camera.

    Notes
    -----
    ``colour = albedo × (0.28 + 0.62·max(0, n·l) + 0.16·(1 + n·up)/2 + 0.06·max(0, n·c))``:
    the same recipe as the cartoon renderer's, so both light a body alike.
    """
    n = np.asarray(normals, np.float32)
    ndl = np.clip(n @ np.asarray(to_light, np.float32), 0, 1)
    sky = 0.5 + 0.5 * (n @ np.asarray(up, np.float32))
    facing = np.clip(np.sum(n * to_camera, -1), 0, 1)
    return albedo * (0.28 + 0.62 * ndl + 0.16 * sky + 0.06 * facing)[..., None]
