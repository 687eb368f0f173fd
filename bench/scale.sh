#!/usr/bin/env bash
# My results and ratings at scale: seeds REQUESTS requests with `parley dev seed` (for one
# manufacturer, and for the busiest of ORGS manufacturers sharing as many), starts
# `parley serve` on them and times each list a salesperson uses through HTTP (keep-alive, one
# request at a time, SAMPLES times each): p50 and p95 in ms, one table per database, after the
# bytes per request by table as seeded.
#
#   bench/scale.sh                                   # 1,000,000 requests; 1 and 1,000 makers
#   REQUESTS=100000 ORGS=1 DBS=sqlite bench/scale.sh
#
# PostgreSQL: a fresh database per run on PARLEY_BENCH_POSTGRES (default
# postgres://postgres@127.0.0.1:5432), dropped afterwards.
set -euo pipefail
source "$(dirname "$0")/raised-limits.sh"
cd "$(dirname "$0")/.."
REQUESTS="${REQUESTS:-1000000}"; ORGS="${ORGS:-1 1000}"; DBS="${DBS:-sqlite postgres}"
SAMPLES="${SAMPLES:-40}"; PG="${PARLEY_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
cargo build --release --quiet -p parley
BIN=./target/release/parley
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

for db in $DBS; do
  for orgs in $ORGS; do
    data="$work/$db-$orgs"; mkdir -p "$data"
    args=(--data-dir "$data")
    if [ "$db" = postgres ]; then
      name="parley_scale_$$_$orgs"
      psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
      args+=(--database-url "$PG/$name")
    fi
    echo "== $db, $REQUESTS requests, $orgs manufacturer(s)"
    # (Not `| tee | head`: with pipefail, head closing the pipe early ended the script.)
    RUST_LOG=warn "$BIN" "${args[@]}" dev seed --organizations "$orgs" --requests "$REQUESTS" \
      >"$work/seed.txt"
    head -1 "$work/seed.txt"
    # Bytes per request by table, as seeded (the issue's storage target).
    RUST_LOG=error "$BIN" "${args[@]}" dev storage | head -8 | sed 's/^/  /'
    admin=$(sed -n 's/^admin of the busiest manufacturer: //p' "$work/seed.txt")
    seller=$(sed -n 's/^salesperson of its first distributor: //p' "$work/seed.txt")
    buyer=$(sed -n 's/^a buyer: //p' "$work/seed.txt")
    token() { "$BIN" "${args[@]}" token create --email "$1" --label bench 2>/dev/null | tail -1; }
    t_admin=$(token "$admin"); t_seller=$(token "$seller"); t_buyer=$(token "$buyer")
    port=$(free_port)
    RUST_LOG=warn "$BIN" "${args[@]}" serve --http "127.0.0.1:$port" --smtp "127.0.0.1:$(free_port)" \
      2>"$work/serve.log" &
    pid=$!
    for _ in $(seq 1 600); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
    python3 - "$port" "$SAMPLES" "$t_admin" "$t_seller" "$t_buyer" "$buyer" <<'PY'
import http.client, json, statistics, sys, time, urllib.parse
port, samples, admin, seller, buyer, buyer_email = sys.argv[1], int(sys.argv[2]), *sys.argv[3:]
domain = buyer_email.split('@')[1]
conn = http.client.HTTPConnection('127.0.0.1', int(port))
def get(token, path):
    conn.request('GET', path, headers={'Authorization': f'Bearer {token}'})
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200, (path, response.status, body[:300])
    return json.loads(body)
def measure(name, token, path, samples=samples):
    get(token, path)  # warm
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        get(token, path)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f'  {name:<38} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms')
choices = get(admin, '/api/v1/requests/filters')
product = choices['products'][len(choices['products']) // 2]['id']
marketplace = choices['marketplaces'][0]['id']
after = ''
for _ in range(49):
    after = get(admin, f'/api/v1/requests?limit=50{after}')['next']
    after = f'&after={after}'
for name, token, path in [
    ('first page', admin, '/api/v1/requests'),
    ('status=new', admin, '/api/v1/requests?status=new'),
    ('status=won', admin, '/api/v1/requests?status=won'),
    ('country=FR', admin, '/api/v1/requests?country=FR'),
    ('product', admin, f'/api/v1/requests?product={product}'),
    ('marketplace', admin, f'/api/v1/requests?marketplace={marketplace}'),
    ('from 2025-01-01', admin, '/api/v1/requests?from=2025-01-01'),
    ('status=answered, a summer', admin, '/api/v1/requests?status=answered&from=2025-06-01&to=2025-08-31'),
    ('country=DE, status=lost', admin, '/api/v1/requests?country=DE&status=lost'),
    ('matches nothing (country=ZZ)', admin, '/api/v1/requests?country=ZZ'),
    ('page 50 by keyset', admin, f'/api/v1/requests?limit=50{after}'),
    ('filter choices', admin, '/api/v1/requests/filters'),
    ("a distributor's list", seller, '/api/v1/requests'),
    ("the buyer's list", buyer, '/api/v1/requests'),
    # Search: the mix of the issue (a surname, a company, a domain, a reference, a common
    # word), a whole address, and a common word with a status that excludes all of its
    # matches (the worst case: every match is read; see docs/PERFORMANCE.md).
    ('search: surname (Müller)', admin, '/api/v1/requests?q=M%C3%BCller'),
    ('search: company (muller agrar)', admin, '/api/v1/requests?q=muller+agrar'),
    ('search: a domain', admin, f'/api/v1/requests?q={domain}'),
    ('search: an address', admin, '/api/v1/requests?q=' + urllib.parse.quote(buyer_email)),
    ('search: product reference', admin, '/api/v1/requests?q=REF-0-07'),
    ('search: a common word (quote)', admin, '/api/v1/requests?q=quote'),
    ("search: the buyer's list", buyer, '/api/v1/requests?q=quote'),
    ("search: a distributor's list", seller, '/api/v1/requests?q=M%C3%BCller'),
    ('search: common word, status=won', admin, '/api/v1/requests?q=devis&status=won'),
]:
    measure(name, token, path)
# Ratings are summed at most once a minute per manufacturer and period, then served from
# memory: the page as people load it, then the full computation (each period a new one).
measure('ratings (/api/v1/network)', admin, '/api/v1/network')
full = []
for i in range(max(3, samples // 8)):
    start = time.perf_counter()
    get(admin, f'/api/v1/network?days={40000 + i}')
    full.append((time.perf_counter() - start) * 1000)
full.sort()
print(f"  {'ratings summed in full':<38} p50 {statistics.median(full):7.1f} ms   max {full[-1]:7.1f} ms")
PY
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
    if [ "$db" = postgres ]; then
      psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $name" >/dev/null
    else
      echo "  database: $(du -m "$data/parley.db" | cut -f1) MB"
    fi
  done
done
