curl --request POST \
  --url https://api.example.com/api/v1/workspaces/{workspace_id}/workflows/{workflow_id}/trigger \
  --header 'Authorization: Bearer <token>' \
  --header 'Content-Type: application/json' \
  --data '
{
  "trigger_payload": {}
}
'
