"""Errors hipform raises for problems a user can fix.

Each message is one sentence for a person, not a programmer: what is wrong and
what to do. The CLI prints it and exits with the class's ``exit_code``; the app
shows it. Anything else that escapes is a bug.
"""

from __future__ import annotations


class HipformError(Exception):
    """Base class: a problem with the user's input or set-up, not a bug."""

    exit_code = 1


class VideoReadError(HipformError):
    """The file is missing, not a video, empty, truncated or undecodable."""

    exit_code = 3


class NoPersonError(HipformError):
    """No person was found in (enough of) the clip."""

    exit_code = 4


class ModelUnavailableError(HipformError):
    """The requested pose model is not installed and cannot be downloaded."""

    exit_code = 5


class ClipTooShortError(HipformError):
    """The clip holds too little movement to judge."""

    exit_code = 6


class InputLimitError(HipformError):
    """The clip is larger or longer than this installation accepts."""

    exit_code = 7


class HistoryError(HipformError):
    """The history database cannot be opened, read or written (analyses still work without it)."""

    exit_code = 8


class OutputWriteError(HipformError):
    """An output file could not be written: full disk, read-only, no permission, missing folder."""

    exit_code = 9
