"""A small numpy neural-network toolkit: layers, the two LeNets, and a training loop."""
