#!/bin/sh
# h2c stand-in for the official redis entrypoint. The official image compiles protected mode
# off; Debian's redis-server keeps it on, so it is switched off here unless a config file or an
# argument sets it (both still win, as they do in the official image).
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = 'redis-server' ] && [ "$(id -u)" = '0' ]; then
	find . \! -user redis -exec chown redis '{}' +
	exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
if [ "$1" = 'redis-server' ]; then
	shift
	if [ -n "${1:-}" ] && [ "${1#-}" = "$1" ]; then
		conf="$1"; shift
		if [ -r "$conf" ] && grep -qiE '^[[:space:]]*protected-mode[[:space:]]' "$conf"; then
			set -- redis-server "$conf" "$@"
		else
			set -- redis-server "$conf" --protected-mode no "$@"
		fi
	else
		set -- redis-server --protected-mode no "$@"
	fi
fi
um="$(umask)"
if [ "$um" = '0022' ]; then umask 0077; fi
exec "$@"
