"""Training: real-data pair synthesis, dataset readers, pair shards and the (DDP-ready) train loop."""
