/**
 * Integration-test support: real local services started once per test file.
 *
 *   const services = useLocalServices();
 *   it('...', async () => { const pg = new Client({ connectionString: services().postgres.connectionString }); });
 *
 * Starts in `beforeAll`, stops in `afterAll` (also when tests fail). Should the test process die instead, the
 * service watchdogs stop Azurite and PostgreSQL when its pipes close, so nothing is left running.
 */
import { startLocalServices, type LocalServices, type StartLocalServicesOptions } from '../../local/services';

/** Generous for a loaded 2-core CI machine; a normal start takes 1-3 s. */
const startTimeoutInMs = 60000;

export function useLocalServices(options: StartLocalServicesOptions = {}): () => LocalServices {
  let services: LocalServices | undefined;
  beforeAll(async () => {
    services = await startLocalServices(options);
  }, startTimeoutInMs);
  afterAll(async () => {
    await services?.stop();
  }, startTimeoutInMs);
  return () => {
    if (!services) throw new Error('Local services are not running: call services() inside a test, not at file load.');
    return services;
  };
}
