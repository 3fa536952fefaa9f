# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Training: real-data pair synthesis, dataset readers, pair shards and the (DDP-ready) train loop."""
