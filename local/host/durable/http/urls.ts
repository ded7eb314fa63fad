/** Webhook URLs of the management API, as the extension puts them in `managementUrls` (§4.1). */
export function webhookBase(baseUrl: string): string {
  return `${baseUrl.replace(/\/$/, '')}/runtime/webhooks/durabletask`;
}

export function managementUrls(baseUrl: string, hubName: string, instanceId: string): Record<string, string> & { statusQueryGetUri: string } {
  const base = `${webhookBase(baseUrl)}/instances/${instanceId}`;
  const query = `taskHub=${encodeURIComponent(hubName)}&connection=Storage`;
  return {
    id: instanceId,
    statusQueryGetUri: `${base}?${query}`,
    sendEventPostUri: `${base}/raiseEvent/{eventName}?${query}`,
    terminatePostUri: `${base}/terminate?reason={text}&${query}`,
    rewindPostUri: `${base}/rewind?reason={text}&${query}`,
    purgeHistoryDeleteUri: `${base}?${query}`,
    restartPostUri: `${base}/restart?${query}`,
    suspendPostUri: `${base}/suspend?reason={text}&${query}`,
    resumePostUri: `${base}/resume?reason={text}&${query}`,
  };
}

/** The `durableClient` input binding payload; `rpcBaseUrl` makes DurableClient call the rpc routes. */
export function durableClientPayload(baseUrl: string, hubName: string): Record<string, unknown> {
  const base = webhookBase(baseUrl);
  return {
    taskHubName: hubName,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}`,
    },
    managementUrls: managementUrls(baseUrl, hubName, 'INSTANCEID'),
    baseUrl: base,
    requiredQueryStringParameters: '',
    rpcBaseUrl: `${baseUrl.replace(/\/$/, '')}/durabletask/`,
  };
}
