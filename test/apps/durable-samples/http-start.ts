import { app, type HttpHandler, type HttpRequest, type HttpResponse, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

const httpStart: HttpHandler = async (request: HttpRequest, context: InvocationContext): Promise<HttpResponse> => {
  const client = df.getClient(context);
  const text = await request.text();
  const input: unknown = text.length > 0 ? JSON.parse(text) : undefined;
  const instanceId: string = await client.startNew(request.params['orchestratorName'] ?? '', { input });
  context.log(`Started orchestration with ID = '${instanceId}'.`);
  return client.createCheckStatusResponse(request, instanceId);
};

app.http('httpStart', {
  route: 'orchestrators/{orchestratorName}',
  extraInputs: [df.input.durableClient()],
  handler: httpStart,
});
