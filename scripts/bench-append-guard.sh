#!/usr/bin/env bash
# What the append-only guard against REPLACE (migration m0016) costs an insert: a million audit
# rows in one transaction into a table with the UPDATE/DELETE triggers alone, then with the
# BEFORE INSERT guard as well, each twice, in the same run. Needs the sqlite3 command.
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
make_db() {
  sqlite3 "$1" <<'SQL' >/dev/null
PRAGMA journal_mode=WAL;
CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'append-only'); END;
SQL
  if [ "$2" = with ]; then
    sqlite3 "$1" "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log WHEN EXISTS
      (SELECT 1 FROM audit_log WHERE seq = NEW.seq) BEGIN SELECT RAISE(ABORT, 'append-only'); END;"
  fi
}
for round in 1 2; do
  for guard in without with; do
    db="$dir/$guard-$round.db"
    make_db "$db" "$guard"
    start=$(date +%s.%N)
    sqlite3 "$db" "PRAGMA recursive_triggers=ON; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n
      WHERE i < 1000000) INSERT INTO audit_log SELECT i, '2022-08-15T02:00:00Z', 'zz.staff', 'org.create', 'role=x',
      hex(randomblob(32)), hex(randomblob(32)) FROM n;"
    end=$(date +%s.%N)
    awk -v g="$guard" -v r="$round" -v s="$start" -v e="$end" 'BEGIN { printf "%s guard, round %s: %.2f s for 1,000,000 inserts\n", g, r, e - s }'
  done
done
