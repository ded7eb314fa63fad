/**
 * Containers of Cosmos DB load targets, created on first use with the pipeline's partition key path and checked
 * against it when they exist (a container's partition key cannot change, so a mismatch is a configuration error).
 */
import type { Container } from '@azure/cosmos';
import { translateCosmosError } from '../../connectors/cosmos';
import { SluiceError } from '../../core/errors';
import { getCosmosClient } from '../app-services';

const containers = new Map<string, Promise<Container>>();

async function open(database: string, container: string, partitionKeyPath: string): Promise<Container> {
  try {
    const { database: db } = await getCosmosClient().databases.createIfNotExists({ id: database });
    const { container: opened, resource } = await db.containers.createIfNotExists({ id: container, partitionKey: { paths: [partitionKeyPath] } });
    const paths = resource?.partitionKey?.paths ?? [];
    if (paths.length !== 1 || paths[0] !== partitionKeyPath) {
      throw new SluiceError('ConfigInvalid', `Cosmos DB container ${database}/${container} has partition key ${JSON.stringify(paths)}, not "${partitionKeyPath}". ` +
        'To fix: set the pipeline\'s target.partitionKeyPath to the container\'s, or load into a new container.', { ids: { target: 'target.partitionKeyPath' } });
    }
    return opened;
  } catch (error) {
    throw translateCosmosError(error, `opening Cosmos DB target ${database}/${container}`, 'SinkFailed');
  }
}

/** The target container, opened once per app instance (a failed open is retried by the next call). */
export function getCosmosTarget(database: string, container: string, partitionKeyPath: string): Promise<Container> {
  const key = JSON.stringify([database, container, partitionKeyPath]);
  let opened = containers.get(key);
  if (opened === undefined) {
    opened = open(database, container, partitionKeyPath);
    opened.catch(() => containers.delete(key));
    containers.set(key, opened);
  }
  return opened;
}
