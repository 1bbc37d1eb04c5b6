# Simulate a Stripe webhook
curl -X POST http://localhost:3000/api/v1/workflows/{id}/run \
-H "x-api-key: YOUR_API_KEY" \
-d '{
"input": {
"type": "invoice.paid",
"data": {
"object": {
"id": "in_test",
"amount_paid": 9900
}
}
}
}'
