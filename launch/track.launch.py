# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""
Launch the tracker node (and optionally the sample camera): ``ros2 launch light_tracker_ros track.launch.py``.

Examples::

    ros2 launch light_tracker_ros track.launch.py                      # sample camera + tracker, no camera needed
    ros2 launch light_tracker_ros track.launch.py sample_camera:=false image_topic:=/camera/image_raw \
        model:=cnn_parent_p10 namespace:=drone1 remappings:="tracker/roi:=/drone1/target_roi"
"""
from __future__ import annotations

from launch import LaunchContext, LaunchDescription
from launch.actions import DeclareLaunchArgument, LogInfo, OpaqueFunction
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare

PACKAGE = "light_tracker_ros"

ARGUMENTS = {
    "image_topic": ("image", "camera image topic (sensor_msgs/Image; <topic>/compressed with "
                             "image_transport:=compressed in the parameter file)"),
    "model": ("", "model name in the installed models/ or a .onnx path; empty = the parameter file's"),
    "backend": ("", "onnxruntime or torch; empty = the parameter file's"),
    "namespace": ("", "namespace of the nodes, e.g. drone1"),
    "params_file": (PathJoinSubstitution([FindPackageShare(PACKAGE), "config", "tracker.yaml"]),
                    "ROS parameter file of the tracker node"),
    "remappings": ("", "extra remappings of the tracker node, 'from:=to' separated by spaces or commas"),
    "sample_camera": ("true", "also start the sample camera (a bundled real clip in a loop and its first box)"),
    "camera_rate": ("10.0", "sample camera frames per second; 0 = the clip's or bag's own rate"),
    "bag": ("", "rosbag2 (folder, .db3 or .mcap) for the sample camera to play instead of its clip"),
    "bag_topic": ("/camera/image_raw", "image topic of the bag (Image or CompressedImage)"),
    "qos_reliability": ("", "image subscription reliability (best_effort or reliable); empty = the parameter "
                            "file's, or reliable with the sample camera (large images across processes)"),
    "log_level": ("info", "log level of both nodes"),
}


def parse_remappings(text: str) -> list[tuple[str, str]]:
    """``'a:=b c:=d'`` (or comma separated) as [('a', 'b'), ('c', 'd')]; raise ValueError on a bad rule."""
    rules = []
    for rule in text.replace(",", " ").split():
        source, sep, target = rule.partition(":=")
        if not sep or not source or not target:
            raise ValueError(f"remapping '{rule}' must have the form from:=to")
        rules.append((source, target))
    return rules


def _nodes(context: LaunchContext) -> list:
    """Build the nodes once the arguments are known."""
    arg = {name: LaunchConfiguration(name).perform(context) for name in ARGUMENTS}
    sample = arg["sample_camera"].lower() in ("true", "1", "yes")
    overrides = {key: arg[key] for key in ("model", "backend") if arg[key]}
    reliability = arg["qos_reliability"] or ("reliable" if sample else "")
    if reliability:
        overrides["qos_reliability"] = reliability
    image = arg["image_topic"]
    remappings = [("image", image), ("image/compressed", f"{image}/compressed"),
                  ("image_mouse_left", f"{image}_mouse_left")] + parse_remappings(arg["remappings"])
    log = ["--ros-args", "--log-level", arg["log_level"]]
    nodes = [Node(package=PACKAGE, executable="tracker_node", name="tracker", namespace=arg["namespace"],
                  parameters=[arg["params_file"], overrides], remappings=remappings, arguments=log, output="screen",
                  emulate_tty=True)]
    if sample:
        nodes.append(Node(package=PACKAGE, executable="sample_camera", name="sample_camera",
                          namespace=arg["namespace"], arguments=log, output="screen", emulate_tty=True,
                          parameters=[{"image_topic": image, "init_topic": "tracker/init_roi",
                                       "rate": float(arg["camera_rate"]), "bag": arg["bag"],
                                       "bag_topic": arg["bag_topic"]}]))
    return nodes + [LogInfo(msg=f"light_tracker_ros: tracker on '{image}'" + (" with the sample camera" if sample
                                                                              else ""))]


def generate_launch_description() -> LaunchDescription:
    """Return the launch description: the arguments above, then the nodes."""
    declared = [DeclareLaunchArgument(name, default_value=default, description=text)
                for name, (default, text) in ARGUMENTS.items()]
    return LaunchDescription(declared + [OpaqueFunction(function=_nodes)])
