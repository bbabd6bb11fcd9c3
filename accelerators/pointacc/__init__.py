"""PointAcc (Lin et al., MICRO 2021): point-cloud mapping unit and matrix unit."""
