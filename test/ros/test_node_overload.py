# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Newest-frame-only: a burst faster than the model is absorbed with bounded latency and counted drops."""
from __future__ import annotations

import time

import cv2
from ros_fixtures import Harness, scene_frame


def test_burst_drops_old_frames_and_keeps_latency_bounded(context) -> None:
    """
    Check that a burst of frames is dropped, counted and does not delay the newest frame.

    200 frames of 640x480 published at once: older frames are dropped (in the node's newest-frame slot) or
    missed (overwritten in the subscription queue) and both are counted; the newest frame is tracked soon after
    it was sent, far sooner than processing every frame would take.
    """
    # the heaviest installed model, every frame counted as found (a box each): the burst is real work
    h = Harness(context, {"model": "transformer_parent", "score_threshold": 0.0})
    try:
        frames = [cv2.resize(scene_frame(i)[0], (640, 480), interpolation=cv2.INTER_NEAREST) for i in range(3)]
        _, truth = scene_frame(0)
        big = truth.__class__(truth.x * 4, truth.y * 4, truth.w * 4, truth.h * 4)
        h.init_roi(frames[0], big)
        for _ in range(3):
            h.track_frame(frames[0])  # measured frames: the processing time per frame (an init has no inference)
        per_frame = float(h.latest_diagnostics(predicate=lambda d: int(d["frames_processed"]) >= 4)
                          ["latency_inference_p50_ms"]) * 1e-3
        before = h.latest_diagnostics()
        burst = 200
        sent = time.monotonic()
        headers = [h.publish(frames[i % 3]) for i in range(burst)]
        publish_s = time.monotonic() - sent
        h.box_for(headers[-1], timeout=10.0)
        latency = time.monotonic() - sent
        d = h.latest_diagnostics(after=1.1)
        received = int(d["frames_received"]) - int(before["frames_received"])
        processed = int(d["frames_processed"]) - int(before["frames_processed"])
        dropped = int(d["frames_dropped"]) - int(before["frames_dropped"])
        missed = int(d["frames_missed"]) - int(before["frames_missed"])
        assert dropped + missed > 0, "a burst faster than the model must lose frames"
        assert processed + dropped == received, (processed, dropped, received)
        assert received + missed == burst, (received, missed)
        assert processed < burst / 2
        # every frame queued would take burst * per_frame; newest-only answers within the publishing time
        # plus a few frames of processing
        # the burst must be worth absorbing: processing every frame would take far longer than publishing them
        queue_all = burst * per_frame
        assert queue_all > max(2 * publish_s, 1.0), f"burst too small: {queue_all:.2f} s of work in {publish_s:.2f} s"
        assert latency < publish_s + 10 * per_frame + 0.5, (latency, publish_s, per_frame)
        assert latency < queue_all / 2, (latency, queue_all)
    finally:
        h.close()
