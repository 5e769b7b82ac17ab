-- wrk script of scripts/bench: a path with {id} gets a random id in BENCH_ID_MIN..BENCH_ID_MAX for each request,
-- and at the end the latency percentiles are written as one JSON line to BENCH_JSON (times in microseconds).
local template = os.getenv("BENCH_PATH") or "/"
local lo = tonumber(os.getenv("BENCH_ID_MIN") or "1")
local hi = tonumber(os.getenv("BENCH_ID_MAX") or "1")
local out = os.getenv("BENCH_JSON")

init = function(args)
  math.randomseed(math.floor(os.clock() * 1000000) + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

request = function()
  local path = (template:gsub("{id}", tostring(math.random(lo, hi))))
  return wrk.format("GET", path)
end

done = function(summary, latency, requests)
  local e = summary.errors
  local f = assert(io.open(out, "w"))
  f:write(string.format(
    '{"path": "%s", "requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    template, summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
  f:close()
end
