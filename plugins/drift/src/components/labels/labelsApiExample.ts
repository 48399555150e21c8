/** Where a Backstage token of the caller goes in the example. */
export const TOKEN_PLACEHOLDER = '<YOUR_BACKSTAGE_TOKEN>';

/** A curl call attaching two labels (one plain, one of a batched request) to a monitor's requests. */
export function labelsCurlExample(baseUrl: string, monitorId: string): string {
  const body = JSON.stringify({
    labels: [
      { requestId: 'abc123', label: '7' },
      { requestId: 'def456', label: ['7', '1'] },
    ],
  });
  return [
    `curl -sS -X POST '${baseUrl}/monitors/${monitorId}/labels' \\`,
    `  -H 'Authorization: Bearer ${TOKEN_PLACEHOLDER}' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '${body}'`,
  ].join('\n');
}
