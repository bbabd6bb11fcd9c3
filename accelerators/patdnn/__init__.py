"""PatDNN (Niu et al., ASPLOS 2020): pattern-pruned convolution on a mobile CPU."""
