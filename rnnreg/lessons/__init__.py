"""The lessons' experiments, apart from any widget: builders, runs over seeds, results and finding sentences.

NumPy only (no matplotlib, no ipywidgets): an experiment imports and runs in a plain script or a test.
``rnnreg.lessons.claims`` turns the values of several seeds into statements that hold on any machine.
"""
