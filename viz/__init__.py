"""Browser front end (Solara) for interactive runs of the escalation model."""
