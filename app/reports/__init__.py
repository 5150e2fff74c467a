"""Reports: rankings, trends, purchase history, inactive and at-risk clients, the ABC rating."""
