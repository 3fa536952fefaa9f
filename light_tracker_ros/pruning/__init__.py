# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Structured pruning: soft masks on named prunable units, budgets, physical slicing, fine-tuning."""
