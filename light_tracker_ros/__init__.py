"""light_tracker_ros: light single-object trackers made by pruning CNN, ViT and hybrid trackers."""

__version__ = "0.1.0"
