"""The math of the SoftMax + cross-entropy explainer: the network, SoftMax, cross entropy, their
derivatives (numeric and symbolic), training, the answer checker, the page registry and the view
a link describes.

Imports numpy and sympy only (tests/test_layers.py): nothing here draws, stores or serves.
"""
