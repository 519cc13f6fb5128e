"""Speed measurements of rnnreg (see benchmarks/README.md).

``harness`` (timing, tables, JSON) and ``models`` (the rnnreg side of every benchmark model) need NumPy
and rnnreg only; ``torch_models`` and ``bench_torch`` need PyTorch, which only ``.venv-bench`` has.
"""
