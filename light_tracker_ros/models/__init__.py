# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Tracker networks (torch): three families sharing one head and one loss, built from architecture dicts."""
