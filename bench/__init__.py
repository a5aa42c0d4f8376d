"""Benchmarks (``make bench``): routing quality against baselines, latency, throughput, start-up, memory."""
