"""brat standoff: annotation.conf, writer and reader."""
