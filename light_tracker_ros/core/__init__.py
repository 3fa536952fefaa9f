"""ROS-free tracking core: types, config, errors, model cards, pre-processing and the tracker."""
