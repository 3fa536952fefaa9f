# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""One exception family for the whole package; messages name the bad value and the fix."""


class TrackerError(Exception):
    """Base class of every error raised on purpose by light_tracker_ros."""


class ConfigError(TrackerError, ValueError):
    """A configuration value or key is invalid (unknown key, wrong type, out of range)."""


class ModelFileError(TrackerError):
    """A model file or its card is missing, corrupt or does not match."""


class InvalidFrameError(TrackerError, ValueError):
    """A frame is empty, of the wrong dtype, shape or encoding."""


class InvalidBoxError(TrackerError, ValueError):
    """A box is not finite, has no area or lies outside the image."""


class ModelOutputError(TrackerError, ArithmeticError):
    """The model returned non-finite values (NaN/Inf): the frame fails and the tracking state is kept."""


class NotInitializedError(TrackerError, RuntimeError):
    """update() was called before init()."""


class DatasetError(TrackerError):
    """A sequence or dataset on disk is missing, unreadable or inconsistent (the message names the file)."""
