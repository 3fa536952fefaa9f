# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Fixtures of the pruning tests (helpers live in prune_fixtures.py)."""
from __future__ import annotations

import pytest
from prune_fixtures import TINY


@pytest.fixture(params=TINY)
def variant(request: pytest.FixtureRequest) -> str:
    """Each tiny variant in turn."""
    return request.param
