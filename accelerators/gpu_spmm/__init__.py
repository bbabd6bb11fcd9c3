"""GPU sparse kernels (CSR row-split, Sputnik, Blocked-ELL, BSR, dense, 2:4) on the
tensor-core GPU model of accelerators/stc."""
