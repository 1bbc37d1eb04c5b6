curl http://localhost:3000/api/v1/runs/{RUN_ID} \
-H "x-api-key: YOUR_API_KEY"
