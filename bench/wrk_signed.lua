-- wrk script for bench/sms_throughput.py: POST /sms with pre-signed Twilio webhooks.
--
-- wrk ... -s bench/wrk_signed.lua URL -- REQUESTS_FILE HOST THREADS
--   REQUESTS_FILE  one request a line: the url-encoded form body, a tab, X-Twilio-Signature
--   HOST           the Host header the signatures were computed for (127.0.0.1:PORT)
--   THREADS        wrk's -t, so each thread starts at its own place in the list
--
-- Every response that is not 200, text/xml and a <Response> document with a <Message> is
-- counted as bad (an empty <Response/> is the real app's silence, e.g. when rate limited);
-- done() prints one line, "BENCH_RESULT {json}", that the Python side parses.

local threads = {}
local next_id = 1

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local prepared = {}
local position = 1

responses = 0
bad_status = 0
bad_type = 0
bad_body = 0
no_message = 0

function init(args)
   local path, host = args[1], args[2]
   local nthreads = tonumber(args[3]) or 1
   local headers = {
      ["Host"] = host,
      ["Content-Type"] = "application/x-www-form-urlencoded",
   }
   for line in io.lines(path) do
      local body, signature = line:match("^([^\t]*)\t(.+)$")
      if body then
         headers["X-Twilio-Signature"] = signature
         prepared[#prepared + 1] = wrk.format("POST", "/sms", headers, body)
      end
   end
   if #prepared == 0 then
      error("no requests in " .. path)
   end
   position = math.floor((id - 1) * #prepared / nthreads) + 1
end

function request()
   local r = prepared[position]
   position = position % #prepared + 1
   return r
end

function response(status, headers, body)
   responses = responses + 1
   if status ~= 200 then
      bad_status = bad_status + 1
   elseif not string.find(headers["Content-Type"] or "", "text/xml", 1, true) then
      bad_type = bad_type + 1
   elseif not string.find(body or "", "<Response", 1, true) then
      bad_body = bad_body + 1
   elseif not string.find(body, "<Message", 1, true) then
      no_message = no_message + 1
   end
end

function done(summary, latency, requests)
   local seen, status, ctype, body, silent = 0, 0, 0, 0, 0
   for _, thread in ipairs(threads) do
      seen = seen + thread:get("responses")
      status = status + thread:get("bad_status")
      ctype = ctype + thread:get("bad_type")
      body = body + thread:get("bad_body")
      silent = silent + thread:get("no_message")
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
         .. '"checked": {"responses": %d, "not_200": %d, "not_xml": %d, "not_twiml": %d, '
         .. '"no_message": %d}, '
         .. '"latency_us": {"mean": %.1f, "p50": %.1f, "p90": %.1f, "p99": %.1f, "max": %.1f}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      seen, status, ctype, body, silent,
      latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max))
end
