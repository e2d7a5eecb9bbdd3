-- wrk script of the post64 workload (bench/run.sh and bench/compare.sh): a 1 KiB POST.
wrk.method = "POST"
wrk.body = string.rep("x", 1024)
wrk.headers["Content-Type"] = "application/octet-stream"
