"""Pure: how Convox would run each service of the artifacts (argv, env, compose for the gate)."""
