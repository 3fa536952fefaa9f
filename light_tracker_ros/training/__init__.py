# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Training: real-data pair synthesis, sequence pairs, and the one (DDP-ready) Trainer with its objectives."""
