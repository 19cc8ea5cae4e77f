-- createPatient with a unique name and email per request.
local counter = 0
local thread_id = 0
local token = os.getenv("TOKEN")
function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end
function request()
  counter = counter + 1
  local id = string.format("%d-%d-%d", tid or 0, counter, math.random(1, 1e9))
  local body = string.format(
    '{"query":"mutation($i: CreatePatientInput!) { createPatient(input: $i) { id name } }",' ..
    '"variables":{"i":{"name":"Bench New %s","email":"bench-new-%s@example.com"}}}', id, id)
  return wrk.format("POST", "/graphql", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
