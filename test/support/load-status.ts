/**
 * Waiting for a load (or any orchestration) to finish through its Durable status URL, which answers 202 while
 * the instance runs and 200 once it completed, failed or was terminated. Bounded by a deadline; the short pause
 * between reads only spaces the polls, the condition is the status itself.
 */
export interface FinishedStatus {
  runtimeStatus: string;
  output: unknown;
  customStatus: unknown;
}

export async function waitForFinished(statusQueryGetUri: string, timeoutInMs: number, pollInMs = 50): Promise<FinishedStatus> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const response = await fetch(statusQueryGetUri);
    const body = (await response.json()) as FinishedStatus;
    if (response.status === 200) return body;
    if (Date.now() > deadline) throw new Error(`The instance at ${statusQueryGetUri} did not finish within ${timeoutInMs} ms; last status ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, pollInMs));
  }
}
