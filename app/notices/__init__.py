"""Client notices (avisos de clientes): messages shown to whoever selects a client."""
