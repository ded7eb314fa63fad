/**
 * The Sluice Bicep extension handler: Bicep starts it as `<extension.bin> --socket <path>` and calls
 * `extension.BicepExtension` over plaintext gRPC on that unix socket (docs/config-as-code.md).
 */
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { z } from 'zod';
import indexJson from '../types/index.json';
import typesJson from '../types/types.json';
import { createOrUpdate, get, preview, remove } from './operations';
import { bicepExtensionService } from './protocol';

const argsSchema = z.tuple([z.literal('--socket'), z.string().min(1, 'expected the socket path')]);

function unary<Req, Res>(fn: (request: Req) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    fn(call.request).then((response) => callback(null, response), (error: unknown) => callback(error as Error));
  };
}

function log(message: string): void {
  process.stderr.write(`sluice-extension: ${message}\n`);
}

export async function main(argv: string[]): Promise<void> {
  const args = argsSchema.safeParse(argv);
  if (!args.success) {
    log(`expected arguments "--socket <path>", got ${JSON.stringify(argv)}. To fix: let Bicep start the extension (bicep local-deploy).`);
    process.exitCode = 2;
    return;
  }
  const server = new Server();
  const implementation: UntypedServiceImplementation = {
    CreateOrUpdate: unary(createOrUpdate),
    Preview: unary(preview),
    Get: unary(get),
    Delete: unary(remove),
    GetTypeFiles: unary(async () => ({ indexFile: JSON.stringify(indexJson), typeFiles: { 'types.json': JSON.stringify(typesJson) } })),
    Ping: unary(async () => ({})),
  };
  server.addService(bicepExtensionService(), implementation);
  const socket = args.data[1];
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${socket}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve()));
  });
  const stop = () => server.tryShutdown(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    log(`could not start: ${(error as Error).message}`);
    process.exit(1);
  });
}
