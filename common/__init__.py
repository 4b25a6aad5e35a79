"""Code both sides of the region need: errors and their gRPC mapping, AZ networks, processes,
the machine agent's client, and what a service's region and AZ halves share (the SQS log model,
its call stream, the services' error codes).

`azlab.nodes` (AZ code) and `azlab.cluster` (region code) import from here; this package imports
from neither, so an AZ's servers never load the controller's code (tests/unit/test_layering.py).
"""
