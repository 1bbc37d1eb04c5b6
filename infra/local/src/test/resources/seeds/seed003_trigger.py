# Supplied by the test: the variables seed 003 leaves to the reader.
import os
workflow_id = os.environ['WORKFLOW_ID']
api_key = os.environ['API_KEY']

# --- seeds/003 "Basic Request", Python, verbatim ---
import requests
response = requests.post(
f'http://localhost:3000/api/v1/workflows/{workflow_id}/run',
headers={
'x-api-key': api_key,
'Content-Type': 'application/json'
},
json={
'input': {
'customerId': 'cus_xxx',
'amount': 9900
}
}
)
data = response.json()['data']
print(f"Run ID: {data['runId']}")
