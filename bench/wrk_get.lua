-- plain GET (the baselines take no body)
wrk.method = "GET"
