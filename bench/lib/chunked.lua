-- wrk script of the chunked64 workload (bench/run.sh and bench/compare.sh): a 1 KiB POST sent
-- with Transfer-Encoding: chunked (two 512-byte chunks and the last, empty one), no Content-Length.
-- wrk.format adds a Content-Length to any request with a body, so the request is formatted here;
-- it is still built once per thread (wrk.init), not per request.
local chunk = string.rep("x", 512)
local body = "200\r\n" .. chunk .. "\r\n200\r\n" .. chunk .. "\r\n0\r\n\r\n"

wrk.format = function(method, path, headers, _)
	local lines = { string.format("%s %s HTTP/1.1", method or "POST", path or wrk.path) }
	for name, value in pairs(headers or wrk.headers) do
		lines[#lines + 1] = string.format("%s: %s", name, value)
	end
	lines[#lines + 1] = "Content-Type: application/octet-stream"
	lines[#lines + 1] = "Transfer-Encoding: chunked"
	return table.concat(lines, "\r\n") .. "\r\n\r\n" .. body
end
wrk.method = "POST"
