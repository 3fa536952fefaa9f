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

import os

from launch import LaunchContext, LaunchDescription
from launch.actions import DeclareLaunchArgument, LogInfo, OpaqueFunction
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import LifecycleNode, Node

PACKAGE = "light_tracker_ros"


def default_params_file() -> str:
    """config/tracker.yaml of the installed package (of this checkout when it is not installed)."""
    try:
        from ament_index_python.packages import get_package_share_directory
        return os.path.join(get_package_share_directory(PACKAGE), "config", "tracker.yaml")
    except (ImportError, LookupError):
        return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "config", "tracker.yaml")


ARGUMENTS = {
    "image_topic": ("image", "camera image topic (sensor_msgs/Image; <topic>/compressed with "
                             "image_transport:=compressed in the parameter file)"),
    "model": ("", "model name in the installed models/ or a .onnx path; empty = the parameter file's"),
    "backend": ("", "onnxruntime or torch; empty = the parameter file's"),
    "namespace": ("", "namespace of the nodes, e.g. drone1"),
    "params_file": (default_params_file(), "ROS parameter file of the tracker node"),
    "remappings": ("", "extra remappings of the tracker node, 'from:=to' separated by spaces or commas"),
    "sample_camera": ("true", "also start the sample camera (a bundled real clip in a loop and its first box)"),
    "camera_rate": ("10.0", "sample camera frames per second; 0 = the clip's or bag's own rate"),
    "bag": ("", "rosbag2 (folder, .db3 or .mcap) for the sample camera to play instead of its clip"),
    "bag_topic": ("/camera/image_raw", "image topic of the bag (Image or CompressedImage)"),
    "autostart": ("true", "the tracker configures and activates itself; false = it waits for lifecycle "
                          "transitions (ros2 lifecycle set /tracker configure, then activate)"),
    "use_sim_time": ("false", "use /clock (bag playback, simulation) in both nodes"),
    "large_frames": ("true", "give both nodes the Fast DDS profile config/fastdds_large_frames.xml (frames over "
                             "512 KB in shared memory, a 32 MB /dev/shm segment per node); a camera driver of your "
                             "own needs it in its environment too; false = Fast DDS defaults (UDP fragments)"),
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
    overrides: dict = {key: arg[key] for key in ("model", "backend") if arg[key]}
    sim_time = arg["use_sim_time"].lower() in ("true", "1", "yes")
    overrides.update(autostart=arg["autostart"].lower() in ("true", "1", "yes"), use_sim_time=sim_time)
    image = arg["image_topic"]
    remappings = [("image", image), ("image/compressed", f"{image}/compressed"),
                  ("image_mouse_left", f"{image}_mouse_left")] + parse_remappings(arg["remappings"])
    log = ["--ros-args", "--log-level", arg["log_level"]]
    env = ({"FASTDDS_DEFAULT_PROFILES_FILE": os.path.join(os.path.dirname(default_params_file()),
                                                          "fastdds_large_frames.xml")}
           if arg["large_frames"].lower() in ("true", "1", "yes") else {})
    nodes = [LifecycleNode(package=PACKAGE, executable="tracker_node", name="tracker", namespace=arg["namespace"],
                           parameters=[arg["params_file"], overrides], remappings=remappings, arguments=log,
                           output="screen", emulate_tty=True, additional_env=env),
             Node(package=PACKAGE, executable="sample_camera", name="sample_camera", namespace=arg["namespace"],
                  arguments=log, output="screen", emulate_tty=True, condition=IfCondition(arg["sample_camera"]),
                  additional_env=env,
                  parameters=[{"image_topic": image, "init_topic": "tracker/init_roi",
                               "rate": float(arg["camera_rate"]), "bag": arg["bag"], "bag_topic": arg["bag_topic"],
                               "use_sim_time": sim_time}])]
    return nodes + [LogInfo(msg=f"light_tracker_ros: tracker on '{image}'" + (" with the sample camera" if sample
                                                                              else ""))]


def generate_launch_description() -> LaunchDescription:
    """Return the launch description: the arguments above, then the nodes."""
    declared = [DeclareLaunchArgument(name, default_value=default, description=text)
                for name, (default, text) in ARGUMENTS.items()]
    return LaunchDescription(declared + [OpaqueFunction(function=_nodes)])
