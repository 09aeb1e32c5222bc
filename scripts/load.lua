-- One kind of request of the mixed load test, for wrk (scripts/load-test.sh runs one wrk per
-- kind, so each kind has its own latency distribution). ANJIAN_LOAD_KIND picks the kind;
-- ANJIAN_LOAD_CONFIG names the table `anjian-bench load-prepare` wrote.
local cfg = dofile(os.getenv("ANJIAN_LOAD_CONFIG"))
local kind = os.getenv("ANJIAN_LOAD_KIND")

-- What each kind answers when all is well; anything else is counted as unexpected.
local expected = { ledger = 200, county = 200, hazard = 201, inspection = 201, telemetry = 200, login = 303 }
assert(expected[kind], "ANJIAN_LOAD_KIND: ledger, county, hazard, inspection, telemetry or login")

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

-- Globals, not locals: done() reads `unexpected` from each thread with thread:get.
seq, unexpected, base_ms = 0, 0, 0
function init(args)
  math.randomseed(os.time() * 31 + (id or 1))
  -- Readings two hours back, a millisecond apart: every batch is new.
  base_ms = (os.time() - 7200) * 1000
end

local function enterprise()
  return cfg.enterprises[math.random(#cfg.enterprises)]
end

local function iso(ms)
  return os.date("!%Y-%m-%dT%H:%M:%S", math.floor(ms / 1000)) .. string.format(".%03dZ", ms % 1000)
end

local api = { ["Authorization"] = "Bearer " .. cfg.token, ["Content-Type"] = "application/json" }

function request()
  seq = seq + 1
  if kind == "ledger" then
    return wrk.format("GET", "/api/v1/hazards?org_id=" .. enterprise() .. "&limit=50", api)
  elseif kind == "county" then
    return wrk.format("GET", "/api/v1/hazards?open=true&limit=50", api)
  elseif kind == "hazard" then
    local body = string.format('{"org_id": %d, "description": "压测隐患 %d", "grade": "general"}', enterprise(), seq)
    return wrk.format("POST", "/api/v1/hazards", api, body)
  elseif kind == "inspection" then
    local body = string.format(
      '{"org_id": %d, "kind": "full_coverage_check", "summary": "压测检查 %d", "findings": []}', enterprise(), seq)
    return wrk.format("POST", "/api/v1/inspections", api, body)
  elseif kind == "telemetry" then
    local at = iso(base_ms + seq)
    local lines = {}
    for i, code in ipairs(cfg.sensors) do
      lines[i] = string.format('{"sensor": "%s", "at": "%s", "value": %d.5}', code, at, 15 + (seq + i) % 10)
    end
    local h = { ["X-Gateway-Token"] = cfg.gateway, ["Content-Type"] = "application/x-ndjson" }
    return wrk.format("POST", "/api/v1/telemetry/readings", h, table.concat(lines, "\n"))
  else
    local body = "username=" .. cfg.username .. "&password=" .. cfg.password
    return wrk.format("POST", "/login", { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
  end
end

-- A person signs in now and then, not in a loop: a second between sign-ins per client.
if kind == "login" then
  function delay()
    return 1000
  end
end

function response(status, headers, body)
  if status ~= expected[kind] then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local odd = 0
  for _, t in ipairs(threads) do
    odd = odd + t:get("unexpected")
  end
  local e = summary.errors
  io.write(string.format(
    '{"kind": "%s", "requests": %d, "seconds": %.1f, "unexpected": %d, "status_errors": %d, ' ..
    '"socket_errors": %d, "p50_ms": %.1f, "p99_ms": %.1f, "max_ms": %.1f}\n',
    kind, summary.requests, summary.duration / 1e6, odd, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
