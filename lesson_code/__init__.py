"""Why Deep Networks Are Hard to Train: the numpy code behind the course."""
