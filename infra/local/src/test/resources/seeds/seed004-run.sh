# Seed 004 gives no curl line; this is its endpoint table as one: [POST] …/workflows/{workflow_id}/run,
# Content-Type: application/json, X-API-KEY: {your_api_key}, body { "payload": {} }.
curl -X POST https://api.wiv.ai/workflows/{workflow_id}/run \
-H "Content-Type: application/json" \
-H "X-API-KEY: {your_api_key}" \
-d '{ "payload": {} }'
