"""The world's vocabulary: signals, the ladder, choice under risk, energy, the alliance graph,
the parameter schema and scenario files. Imported by the agents and the model; imports neither."""
