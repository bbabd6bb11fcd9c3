"""An A100 / H100-style GPU running dense and 2:4-sparse GEMMs on its tensor cores."""
