"""Plans: the plan overview and the demo plan."""
