# PostgreSQL for the ledger tests: the test fixture makes a throwaway cluster itself with
# initdb/pg_ctl on 127.0.0.1 (tests/ledger/conftest.py); this script only makes sure the
# binaries are there, installing the Debian package when they are missing.
pg_bin_dir() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
        fi
    done | sort -V | tail -n 1
}
if [ -z "$(pg_bin_dir)" ]; then
    echo "postgres: installing the postgresql package"
    apt_install postgresql
fi
CLEARING_PG_BIN="$(pg_bin_dir)"
export CLEARING_PG_BIN
echo "postgres: binaries in $CLEARING_PG_BIN"
