#!/bin/sh
# h2c stand-in for the official node image's entrypoint: the same rule. Run the command with
# node when the first argument starts with "-", is not a command, or is a non-executable file.
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
	set -- node "$@"
fi
exec "$@"
