"""Structured pruning: soft masks on named prunable units, budgets, physical slicing, fine-tuning."""
