# Copyright 2026 light_tracker_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""package.xml is well-formed format 3 with the elements ament and rosdep rely on (the ament_xmllint check)."""
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.linter
def test_package_xml() -> None:
    """Format 3, name matches the package, required elements present, build type ament_python."""
    root = ET.parse(ROOT / "package.xml").getroot()
    assert root.tag == "package" and root.get("format") == "3"
    assert root.findtext("name") == "light_tracker_ros"
    for tag in ("version", "description", "maintainer", "license"):
        assert (root.findtext(tag) or "").strip(), f"package.xml lacks <{tag}>"
    assert root.find("maintainer").get("email")
    assert root.findtext("export/build_type") == "ament_python"
    depends = {e.text for e in root if e.tag.endswith("depend")}
    for needed in ("rclpy", "rcl_interfaces", "lifecycle_msgs", "sensor_msgs", "std_msgs", "geometry_msgs",
                   "diagnostic_msgs", "std_srvs", "vision_msgs", "launch_ros", "ros2launch", "python3-numpy",
                   "python3-opencv"):
        assert needed in depends, f"package.xml does not depend on {needed}"
    assert "cv_bridge" not in depends, "cv_bridge is not used (conversions.py converts images itself)"
