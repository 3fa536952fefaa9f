"""One-pass evaluation: sequences on disk, metrics, OpenCV peers, the runner and its reports."""
