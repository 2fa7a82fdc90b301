"""Pure judgements: env parity, ports, leaks, HTTP answers, how a process ended."""
