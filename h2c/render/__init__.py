"""Pure writers: the plan in, the text of each generated file out."""
