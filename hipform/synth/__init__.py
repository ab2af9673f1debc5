"""Synthetic athletes with known joint angles: the ground truth for hipform.

World frame used throughout ``hipform.synth``: metres, right-handed, z up,
floor at z = 0. The athlete starts at the origin facing +y, so the athlete's
right is +x and left is -x.
"""
