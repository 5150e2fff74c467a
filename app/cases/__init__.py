"""Customer-service cases: claims, returns, complaints and questions on a client."""
