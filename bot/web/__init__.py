"""Web front ends: the information page with the citizen chat widget, and the staff console."""
