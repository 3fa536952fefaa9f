# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Data shared by training and evaluation: sequences, GOT-10k/LaSOT/OTB readers and pair folders (core only)."""
