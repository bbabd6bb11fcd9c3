"""TorchSparse (Tang et al., MLSys 2022): gather-matmul-scatter sparse convolution on a
GPU, beside PointAcc."""
