"""Analysis of experiment results: summaries, sensitivity, figures, patterns, calibration and
the validation report. Reads what ``experiments`` wrote; ``experiments`` never imports it."""
