// Supplied by the test: the variables seed 003 leaves to the reader.
const workflowId = process.env.WORKFLOW_ID;
const API_KEY = process.env.API_KEY;

// --- seeds/003 "Basic Request", JavaScript, verbatim ---
const response = await fetch(
`http://localhost:3000/api/v1/workflows/${workflowId}/run`,
{
method: 'POST',
headers: {
'x-api-key': process.env.API_KEY,
'Content-Type': 'application/json'
},
body: JSON.stringify({
input: {
customerId: 'cus_xxx',
amount: 9900
}
})
}
);
const { data } = await response.json();
console.log('Run ID:', data.runId);

// --- seeds/003 "Checking Run Status", JavaScript, verbatim ---
async function waitForCompletion(runId, maxWait = 60000) {
const start = Date.now();
while (Date.now() - start < maxWait) {
const response = await fetch(
`http://localhost:3000/api/v1/runs/${runId}`,
{ headers: { 'x-api-key': API_KEY } }
);
const { data } = await response.json();
if (data.status === 'completed') {
return data.output;
}
if (data.status === 'failed') {
throw new Error(data.error?.message || 'Workflow failed');
}
// Wait 1 second before polling again
await new Promise(r => setTimeout(r, 1000));
}
throw new Error('Timeout waiting for workflow');
}

// --- using them, as the seed intends ---
console.log('Output:', JSON.stringify(await waitForCompletion(data.runId)));

const failing = await fetch(`http://localhost:3000/api/v1/workflows/${process.env.FAILING_WORKFLOW_ID}/run`, {
  method: 'POST',
  headers: { 'x-api-key': API_KEY, 'Content-Type': 'application/json' },
  body: JSON.stringify({ input: { customerId: 'cus_xxx' } })
});
try {
  await waitForCompletion((await failing.json()).data.runId);
  console.log('Failed: no');
} catch (e) {
  console.log('Failed:', e.message);
}
