# In your crontab or cloud scheduler (the schedule, "0 9 * * *", is cron's part, not the command's)
curl -X POST https://api.example.com/api/v1/workflows/wf_daily_report/run \
-H "x-api-key: $API_KEY" \
-d '{"input":{}}'
