"""Exchange rates: the pesos a unit of a foreign currency is worth on each day."""
