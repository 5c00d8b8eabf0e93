"""Field feedback: product gaps linked to the deals they block or lost, ranked by revenue
impact for product managers."""
