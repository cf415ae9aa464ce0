"""Projects that survey a selection: the sample and the extrapolation from it."""
