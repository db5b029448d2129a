-- wrk script for bench/run.sh: sends the session cookie of a signed-in page (BENCH_COOKIE) and
-- prints one tab-separated summary line: req/s, p50, p95, p99 (ms), requests, HTTP errors, socket errors.
local cookie = os.getenv("BENCH_COOKIE")
if cookie ~= nil and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

done = function(summary, latency, requests)
  local socket_errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%d\n",
    summary.requests / (summary.duration / 1000000),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status, socket_errors))
end
