"""Sign-off: a second pair of eyes on each lead's update before it counts."""
