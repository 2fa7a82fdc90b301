"""Pure readers of the generated (and possibly hand-edited) files the gate judges."""
