"""Stateless differentiable functions, one small ``Function`` per op, grouped by family."""
