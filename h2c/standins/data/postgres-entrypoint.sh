#!/usr/bin/env bash
# h2c stand-in for the official postgres entrypoint: same POSTGRES_* contract.
set -Eeo pipefail
if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi
if [ "$1" = 'postgres' ] && [ "$(id -u)" = '0' ]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	chown -R postgres:postgres "$PGDATA" /var/run/postgresql
	chmod 700 "$PGDATA"; chmod 3777 /var/run/postgresql
	exec setpriv --reuid=postgres --regid=postgres --init-groups \
		env HOME=/var/lib/postgresql "${BASH_SOURCE[0]}" "$@"
fi
if [ "$1" = 'postgres' ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
	POSTGRES_USER="${POSTGRES_USER:-postgres}"
	POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != 'trust' ]; then
		echo 'Error: Database is uninitialized and superuser password is not specified.' >&2
		echo '       Set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust.' >&2
		exit 1
	fi
	# shellcheck disable=SC2086
	if [ -n "${POSTGRES_PASSWORD:-}" ]; then
		initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
			${POSTGRES_INITDB_ARGS:-} -D "$PGDATA"
	else
		initdb --username="$POSTGRES_USER" ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA"
	fi
	method="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
	printf '\nhost all all all %s\n' "$method" >> "$PGDATA/pg_hba.conf"
	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
	export PGUSER="$POSTGRES_USER" PGPASSWORD="${POSTGRES_PASSWORD:-}"
	if [ "$POSTGRES_DB" != 'postgres' ]; then
		psql -v ON_ERROR_STOP=1 --dbname postgres --set db="$POSTGRES_DB" \
			<<< 'CREATE DATABASE :"db";'
	fi
	shopt -s nullglob
	psql=(psql -v ON_ERROR_STOP=1 --dbname "$POSTGRES_DB")
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
			*.sh) echo "running $f"; if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;
			*.sql) echo "running $f"; "${psql[@]}" -f "$f" ;;
			*.sql.gz) echo "running $f"; gunzip -c "$f" | "${psql[@]}" ;;
			*) echo "ignoring $f" ;;
		esac
	done
	unset PGPASSWORD
	pg_ctl -D "$PGDATA" -m fast -w stop
	echo 'PostgreSQL init process complete; ready for start up.'
fi
exec "$@"
