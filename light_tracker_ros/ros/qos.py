# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
QoS of the image subscription: match the publishers' reliability, as image_pipeline does.

With no override, the subscription is reliable when every known publisher of the topic is reliable (large frames
across processes then arrive whole) and best effort (REP-2003 sensor data) when one of them is best effort or
none is known yet; the node re-subscribes when the publishers change. A standard QoS override
(``qos_overrides./image.subscription.reliability``) fixes the reliability instead.
"""
from __future__ import annotations

from typing import Any, Iterable

from rclpy.qos import HistoryPolicy, QoSPolicyKind, QoSProfile, ReliabilityPolicy

#: overridable policies of the image subscription when the user gives no reliability (matched instead)
MATCHED_POLICIES = (QoSPolicyKind.HISTORY, QoSPolicyKind.DEPTH)
#: newest-frame-only node: the reader keeps a few frames so the executor never loses one between two takes
IMAGE_DEPTH = 5


def matched_reliability(publishers: Iterable[Any]) -> ReliabilityPolicy:
    """Reliability to subscribe with, given the ``TopicEndpointInfo`` of the topic's publishers."""
    kinds = {info.qos_profile.reliability for info in publishers}
    if kinds and kinds <= {ReliabilityPolicy.RELIABLE}:
        return ReliabilityPolicy.RELIABLE
    return ReliabilityPolicy.BEST_EFFORT


def image_profile(reliability: ReliabilityPolicy) -> QoSProfile:
    """Keep-last :data:`IMAGE_DEPTH` frames, volatile, with ``reliability``."""
    return QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=IMAGE_DEPTH, reliability=reliability)


def override_name(topic: str, entity: str = "subscription", policy: str = "reliability") -> str:
    """Name of the standard QoS override parameter of ``topic`` (a fully resolved name)."""
    return f"qos_overrides.{topic}.{entity}.{policy}"
