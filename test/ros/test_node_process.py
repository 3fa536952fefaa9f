# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The node as its own process: tracking across processes, no torch with ONNX Runtime, clean SIGINT exit."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import rclpy
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from ros_fixtures import FOLLOW_PARAMS, Harness, scene_frame

ROOT = Path(__file__).resolve().parents[2]


def start_node(args: list[str]) -> subprocess.Popen:
    """Start ``tracker_node`` in a new process with ``--ros-args`` ``args``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    args = ["-p", "allow_model_paths:=true", *args]  # the tests name their models by path
    return subprocess.Popen([sys.executable, "-m", "light_tracker_ros.ros.tracker_node", "--ros-args", *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def remote_node(follow_model: Path):
    """Return a tracker node process on the follow model (it subscribes reliable once it sees our publisher)."""
    params = {"model": str(follow_model), **FOLLOW_PARAMS}
    proc = start_node(["-r", "__node:=xtracker"] + [a for k, v in params.items() for a in ("-p", f"{k}:={v}")])
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_second_process_tracks_without_torch_and_exits_cleanly_on_sigint(context, remote_node) -> None:
    """
    Check tracking from a second process.

    Boxes follow the target across processes with matching stamps; the node process never imports torch
    (ONNX Runtime backend) and exits 0 on SIGINT.
    """
    h = Harness(context, None, "xtracker")
    try:
        first = h.init_roi(*scene_frame(0))
        ious = []
        for i in range(1, 20):
            frame, truth = scene_frame(i)
            ious.append(h.track_frame(frame)[1].iou(truth))
        assert min(ious) > 0.5, ious
        assert h.box_for(h.publish(scene_frame(19)[0])).cx - first.cx > 25
        d = h.latest_diagnostics(predicate=lambda d: int(d["frames_processed"]) >= 20)
        assert d["torch_imported"] == "False" and d["backend"] == "onnxruntime x1"
    finally:
        h.close()
    remote_node.send_signal(signal.SIGINT)
    out, err = remote_node.communicate(timeout=15)
    assert remote_node.returncode == 0, err
    assert "Traceback" not in err, err


def test_onnxruntime_node_does_not_import_torch(follow_model: Path) -> None:
    """Importing and running the node with ONNX Runtime leaves torch out of sys.modules."""
    code = ("import sys, rclpy\n"
            "from rclpy.parameter import Parameter\n"
            "from light_tracker_ros.ros.tracker_node import TrackerNode\n"
            "rclpy.init()\n"
            f"node = TrackerNode(parameter_overrides=[Parameter('model', value={str(follow_model)!r}),\n"
            "    Parameter('allow_model_paths', value=True)])\n"
            "assert node.tracking_status().card is not None\n"
            "node.destroy_node(); rclpy.shutdown()\n"
            "print('torch' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_invalid_startup_parameter_exits_with_a_message(tmp_path: Path) -> None:
    """A parameter out of range at start-up stops the process with exit code 2 and names the parameter."""
    proc = start_node(["-p", "score_threshold:=2.0", "-p", f"model_dirs:=[{tmp_path}]"])
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "score_threshold" in err


def test_params_file_in_a_process(tmp_path: Path) -> None:
    """The node starts from config/tracker.yaml in its own process and answers on its parameter service."""
    proc = start_node(["--params-file", str(ROOT / "config" / "tracker.yaml"), "-p", "model:=cnn_parent_p01",
                       "-r", "__node:=ytracker"])
    context = Context()
    rclpy.init(context=context)
    node = rclpy.create_node("param_reader", context=context)
    try:
        from rcl_interfaces.srv import GetParameters
        client = node.create_client(GetParameters, "/ytracker/get_parameters")
        assert client.wait_for_service(timeout_sec=20.0), proc.stderr.read() if proc.poll() is not None else ""
        future = client.call_async(GetParameters.Request(names=["max_consecutive_failures", "model", "image_topic"]))
        executor = SingleThreadedExecutor(context=context)
        executor.add_node(node)
        executor.spin_until_future_complete(future, timeout_sec=10.0)
        executor.shutdown()
        assert future.done()
        values = [v.integer_value or v.string_value for v in future.result().values]
        assert values == [5, "cnn_parent_p01", "image"]
    finally:
        node.destroy_node()
        rclpy.try_shutdown(context=context)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0
    # a restarted node forgets runtime changes and the target: it says so, and where its parameter file is
    assert "send a box on ~/init_roi" in err and str(ROOT / "config" / "tracker.yaml") in err, err


def _started(proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """Wait until the node process logs that it is active (reads its stderr line by line)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            raise AssertionError(f"the node ended early: {proc.wait()}")
        if "active on" in line:
            return
    raise AssertionError("the node did not become active")


def test_second_sigint_exits_cleanly_without_a_terminal(follow_model: Path) -> None:
    """
    Check two SIGINTs in a row, as ``ros2 launch`` without a terminal sends them.

    The node runs in a session of its own (no terminal, like a launched process); the second SIGINT lands while
    the first one's cleanup is under way, and the process still exits 0 without a traceback.
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "light_tracker_ros.ros.tracker_node", "--ros-args", "-p",
                             "allow_model_paths:=true", "-p", f"model:={follow_model}", "-r", "__node:=sigtracker"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        _started(proc)
        time.sleep(1.0)  # spinning: the signals land in the executor, then in the cleanup
        proc.send_signal(signal.SIGINT)
        time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err


@pytest.mark.parametrize("content", [None, "a: [b\n: :\n", "/**:\n  ros__parameters:\n    score_threshold: high\n"])
def test_bad_params_file_ends_in_one_clear_line(tmp_path: Path, content: str | None) -> None:
    """A missing, garbage or badly typed parameter file: exit code 2, one line naming the problem, no traceback."""
    path = tmp_path / "params.yaml"
    if content is not None:
        path.write_text(content)
    proc = start_node(["--params-file", str(path)])
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2, err
    assert "Traceback" not in err, err
    ours = [line for line in err.splitlines() if line.startswith("tracker_node:")]
    assert len(ours) == 1 and ("params" in ours[0] or "parameter" in ours[0]), err


def test_720p_and_1080p_frames_from_another_process_all_arrive(context, remote_node) -> None:
    """
    Check that large frames cross processes with the node's default settings.

    The node matches our reliable publisher (default Fast DDS: frames over 512 KB leave shared memory and a
    best-effort subscription loses most of them); every 1280x720 and 1920x1080 frame sent is received.
    """
    import cv2
    from rclpy.qos import ReliabilityPolicy
    h = Harness(context, None, "xtracker")
    try:
        h.wait_for(lambda: [s.qos_profile.reliability for s in h.driver.get_subscriptions_info_by_topic("/image")]
                   == [ReliabilityPolicy.RELIABLE], 15.0, "the node to match our reliable publisher")
        before = h.latest_diagnostics()
        sent = 0
        for size in ((1280, 720), (1920, 1080)):
            frame = cv2.resize(scene_frame(0)[0], size, interpolation=cv2.INTER_NEAREST)
            for _ in range(10):
                h.publish(frame)
                sent += 1
                time.sleep(0.2)
        want = int(before["frames_received"]) + sent
        d = h.latest_diagnostics(predicate=lambda d: int(d["frames_received"]) >= want, timeout=20.0)
        assert int(d["frames_received"]) == want and int(d["frames_missed"]) == int(before["frames_missed"])
    finally:
        h.close()


FEEDER = """
import sys, time, numpy, rclpy
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Image
from std_msgs.msg import Header
from light_tracker_ros.ros.conversions import bgr_to_image
rclpy.init()
node = rclpy.create_node("feeder")
pub = node.create_publisher(Image, "/image", QoSProfile(depth=5, reliability=ReliabilityPolicy.RELIABLE))
msg = bgr_to_image(numpy.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=numpy.uint8), Header())
end, next_t = time.monotonic() + float(sys.argv[1]), time.monotonic()
while time.monotonic() < end:
    msg.header = Header(stamp=node.get_clock().now().to_msg(), frame_id="cam")
    pub.publish(msg)
    next_t += 0.01
    time.sleep(max(0.0, next_t - time.monotonic()))
"""


def test_control_plane_answers_at_100_hz_without_starving(context) -> None:
    """
    Check the control plane under input load, with the documented Fast DDS profile for large frames.

    A camera process (config/fastdds_large_frames.xml) sends 640x480 frames at 100 Hz to the node (default
    settings); ~/enable (true, already active) and ~/reset answer, and every ~/init_roi box comes back applied
    to a frame, without waiting behind the frames (p95 under a second; the p95 values, 100 ms as the target, are
    printed: a benchmark figure, not a CI timing).
    """
    import numpy as np
    from sensor_msgs.msg import RegionOfInterest
    from std_srvs.srv import SetBool, Trigger
    proc = start_node(["-r", "__node:=ctracker", "-p", "model:=cnn_parent_p10", "-p", "score_threshold:=0.0",
                       "-p", "publish_debug_image:=false"])
    h = Harness(context, None, "ctracker")
    env = dict(os.environ, PYTHONPATH=str(ROOT),
               FASTDDS_DEFAULT_PROFILES_FILE=str(ROOT / "config" / "fastdds_large_frames.xml"))
    feeder = subprocess.Popen([sys.executable, "-c", FEEDER, "30"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3.0)
        services, inits = [], []
        enable = h.driver.create_client(SetBool, "/ctracker/enable")
        reset = h.driver.create_client(Trigger, "/ctracker/reset")
        assert enable.wait_for_service(timeout_sec=10.0) and reset.wait_for_service(timeout_sec=10.0)
        for i in range(20):
            for client, request in ((enable, SetBool.Request(data=True)), (reset, Trigger.Request())):
                t0 = time.monotonic()
                future = client.call_async(request)
                h.wait_for(future.done, 5.0, "a service answer")
                services.append(time.monotonic() - t0)
                assert future.result().success
            x = 100 + 10 * (i % 5)
            with h._lock:
                start = len(h.boxes)
            t0 = time.monotonic()
            h.roi_pub.publish(RegionOfInterest(x_offset=x, y_offset=200, width=60, height=40))
            h.wait_for(lambda: any(round(b.polygon.points[0].x) == x for b in h.boxes[start:]), 5.0, "the init box")
            inits.append(time.monotonic() - t0)
            time.sleep(0.05)
        d = h.latest_diagnostics()
        per_frame = float(d["latency_in_node_p50_ms"]) * 1e-3
        services_p95, inits_p95 = np.percentile(services, 95), np.percentile(inits, 95)
        print(f"control plane at 100 Hz: services p95 {services_p95 * 1e3:.1f} ms, init applied p95 "
              f"{inits_p95 * 1e3:.1f} ms, frame processing p50 {per_frame * 1e3:.1f} ms, input "
              f"{d['input_rate_hz']} Hz, frames missed {d['frames_missed']}")
        assert float(d["input_rate_hz"]) > 20.0, "the load did not reach the node"
        # a starved control plane answers in seconds (1.7-3.5 s before the fix); the 100 ms p95 target is a
        # benchmark figure printed above (and asserted by the reliability suite's full run), not a CI timing
        assert services_p95 < 1.0, np.round(np.array(services) * 1e3, 1)
        assert inits_p95 < 1.0 + per_frame, np.round(np.array(inits) * 1e3, 1)
    finally:
        feeder.kill()
        feeder.wait()
        h.close()
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)


def test_services_answer_during_a_slow_model_load(context, follow_model: Path) -> None:
    """
    Check that the control plane answers while a model loads.

    A swap to the torch backend in a fresh node process imports torch and rebuilds the network: seconds. While
    that parameter call is still under way, ~/reset, get_state and diagnostics answer within a fraction of a
    second.
    """
    from lifecycle_msgs.srv import GetState
    from rcl_interfaces.srv import SetParameters
    from rclpy.parameter import Parameter
    from std_srvs.srv import Trigger
    pytest.importorskip("torch", reason="the torch backend needs torch")
    proc = start_node(["-r", "__node:=storacker", "-p", f"model:={follow_model}"])
    h = Harness(context, None, "storacker")
    try:
        request = SetParameters.Request(parameters=[Parameter("backend", value="torch").to_parameter_msg()])
        done: list[float] = []
        results: list = []

        def swap() -> None:
            results.extend(h.call(SetParameters, "set_parameters", request, timeout=120.0).results)
            done.append(time.monotonic())
        caller = threading.Thread(target=swap)
        start = time.monotonic()
        caller.start()
        time.sleep(0.3)
        answers = []
        for _ in range(3):
            t0 = time.monotonic()
            assert h.call(Trigger, "reset", Trigger.Request()).success
            assert h.call(GetState, "get_state", GetState.Request()).current_state.label == "active"
            answers.append(time.monotonic() - t0)
        diag = h.latest_diagnostics(timeout=3.0)
        answered = time.monotonic()
        caller.join(timeout=120.0)
        assert done and results[0].successful, results
        assert answered < done[0], f"the load ({done[0] - start:.1f} s) ended before the checks: not slow enough"
        assert max(answers) < 2.0, answers  # answered while the load was still under way (asserted above)
        assert diag["lifecycle_state"] == "active" and diag["backend"].startswith("onnxruntime")
    finally:
        h.close()
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
