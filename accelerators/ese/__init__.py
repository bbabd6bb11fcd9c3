"""ESE (Han et al., FPGA 2017): a load-balanced sparse LSTM engine."""
