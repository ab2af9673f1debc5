"""hipform: a form checker for runners' hip work.

Watches a person exercise on video and says, rep by rep and step by step,
where the knees collapse, the pelvis drops or the lower back arches.
"""

from hipform.errors import HipformError
from hipform.landmarks import Landmark
from hipform.sequence import PoseSequence, load_sequence, save_sequence

__version__ = "0.1.0"

__all__ = ["HipformError", "Landmark", "PoseSequence", "load_sequence", "save_sequence", "__version__"]
