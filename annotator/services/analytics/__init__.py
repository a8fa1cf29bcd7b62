"""What the annotations say: a pure analysis layer (network, timeline, claims, statistics,
report) over the services, shared by the Analytics windows and the CLI."""
