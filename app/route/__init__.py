"""The route day: each salesperson's and collector's stops of a day and what happened at each."""
