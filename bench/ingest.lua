-- wrk script for bench/ingest.py: POST signed Zendesk webhooks, each with its own
-- invocation id (so none is deduplicated), cycling through bodies pre-signed by ingest.py.
--   wrk -t2 -c50 -d30s -s bench/ingest.lua URL -- DELIVERIES.lua RUN_NONCE
local counter = 0
local deliveries
local prefix

local threads = {}
function setup(thread)
  thread:set("thread_no", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  deliveries = dofile(args[1])
  prefix = args[2] .. "-" .. tostring(thread_no) .. "-"
end

function request()
  counter = counter + 1
  local d = deliveries[(counter % #deliveries) + 1]
  return wrk.format("POST", "/webhooks/zendesk", {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "Zendesk Webhook",
    ["x-zendesk-account-id"] = "1000",
    ["x-zendesk-webhook-id"] = "01HBENCH",
    ["x-zendesk-webhook-invocation-id"] = prefix .. counter,
    ["x-zendesk-webhook-signature"] = d.sig,
    ["x-zendesk-webhook-signature-timestamp"] = d.ts,
  }, d.body)
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"non2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, non2xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
