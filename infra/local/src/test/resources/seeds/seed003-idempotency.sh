curl -X POST http://localhost:3000/api/v1/workflows/{id}/run \
-H "x-api-key: YOUR_API_KEY" \
-H "Content-Type: application/json" \
-d '{
"input": { "orderId": "order_123" },
"idempotencyKey": "process-order-123"
}'
