"""rnnreg: a compact NumPy framework for learning how regularization and recurrent networks work."""
