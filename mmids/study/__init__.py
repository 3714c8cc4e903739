"""The study regenerated: the comparison grid, its runner and its report."""
