"""Pure planning: an AppSpec in, a ConvoxPlan out (names, env, resources, commands)."""
