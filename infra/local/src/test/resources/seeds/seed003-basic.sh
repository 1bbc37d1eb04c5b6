curl -X POST http://localhost:3000/api/v1/workflows/{WORKFLOW_ID}/run \
-H "x-api-key: YOUR_API_KEY" \
-H "Content-Type: application/json" \
-d '{
"input": {
"customerId": "cus_xxx",
"amount": 9900
}
}'
