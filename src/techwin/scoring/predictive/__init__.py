"""The predictive lead score: features, training with honest evaluation, scoring with reasons."""
