"""A Python package holding a Go extension module, sum_sub_package.sum."""
