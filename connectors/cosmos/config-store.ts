/**
 * The runtime configuration store: one Cosmos DB document per configuration item, partition key /kind, so a
 * list per kind is a single-partition query. Writes are conditional on the document's ETag (optimistic
 * concurrency: two concurrent PUTs of one item cannot both win). Audit entries live in the item's partition with
 * a deterministic id (`audit:<kind>:<name>:<version>`), so a retried write replaces its audit entry.
 */
import type { Container, Database } from '@azure/cosmos';
import {
  canonicalJson,
  CONFIG_KINDS,
  diffItems,
  type ConfigItem,
  type ConfigKind,
  type ItemChange,
} from '../../core/config';
import { SluiceError } from '../../core/errors';
import { cosmosStatus, translateCosmosError } from './cosmos-errors';

export interface StoredConfigItem {
  kind: ConfigKind;
  name: string;
  item: ConfigItem;
  /** 1 for a new item, +1 per change. */
  version: number;
  updatedAt: string;
  updatedBy: string;
  /** Cosmos DB ETag of the document, used for If-Match. */
  etag: string;
}

export interface ConfigAuditEntry {
  kind: ConfigKind;
  name: string;
  action: 'create' | 'update' | 'delete';
  version: number;
  at: string;
  identity: string;
  changes: ItemChange[];
}

export interface ConfigWriteOptions {
  /** Who made the change (recorded in the audit entry). */
  identity: string;
  /** ISO time of the change (a parameter, so tests control it). */
  nowIso: string;
  /** The ETag the caller last saw; the write fails with PreconditionFailed if the item changed since. */
  ifMatch?: string;
}

export interface PutConfigResult {
  stored: StoredConfigItem;
  /** false when the body equalled the stored item: nothing written, no new version, no audit entry. */
  changed: boolean;
  created: boolean;
}

interface ItemDocument {
  id: string;
  kind: string;
  docType: 'item';
  name: string;
  item: ConfigItem;
  version: number;
  updatedAt: string;
  updatedBy: string;
  _etag?: string;
}

interface AuditDocument extends Omit<ConfigAuditEntry, 'kind'> {
  id: string;
  kind: string;
  docType: 'audit';
}

/** Creates the configuration container (partition key /kind) if missing. */
export async function ensureConfigContainer(database: Database, containerId = 'config'): Promise<Container> {
  try {
    const { container } = await database.containers.createIfNotExists({ id: containerId, partitionKey: { paths: ['/kind'] } });
    return container;
  } catch (error) {
    throw translateCosmosError(error, `creating config container ${containerId}`, 'SinkFailed');
  }
}

const itemId = (kind: ConfigKind, name: string): string => `item:${kind}:${name}`;

export class ConfigStore {
  constructor(private readonly container: Container) {}

  async get(kind: ConfigKind, name: string): Promise<StoredConfigItem | undefined> {
    const doc = await this.read(kind, name);
    return doc === undefined ? undefined : toStored(doc);
  }

  /** Items of one kind, ordered by name. */
  async list(kind: ConfigKind): Promise<StoredConfigItem[]> {
    const docs = await this.query<ItemDocument>("SELECT * FROM c WHERE c.docType = 'item' AND c.kind = @kind",
      [{ name: '@kind', value: kind }], kind, `config list of ${kind}`);
    return docs.map(toStored).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every stored item of every kind (what the running app merges over the bootstrap file). */
  async listAll(): Promise<StoredConfigItem[]> {
    const lists = await Promise.all(CONFIG_KINDS.map((kind) => this.list(kind)));
    return lists.flat();
  }

  /** Creates or replaces an item (already validated). Idempotent: an equal item is left as is. */
  async put(kind: ConfigKind, name: string, item: ConfigItem, options: ConfigWriteOptions): Promise<PutConfigResult> {
    const current = await this.read(kind, name);
    checkIfMatch(kind, name, current, options.ifMatch);
    if (current !== undefined && canonicalJson(current.item) === canonicalJson(item)) {
      return { stored: toStored(current), changed: false, created: false };
    }
    const version = (current?.version ?? 0) + 1;
    const doc: ItemDocument = { id: itemId(kind, name), kind, docType: 'item', name, item, version, updatedAt: options.nowIso, updatedBy: options.identity };
    let written: ItemDocument;
    try {
      if (current === undefined) {
        written = (await this.container.items.create(doc)).resource as ItemDocument;
      } else {
        written = (await this.container.item(doc.id, kind).replace(doc, { accessCondition: { type: 'IfMatch', condition: current._etag ?? '' } }))
          .resource as ItemDocument;
      }
    } catch (error) {
      const status = cosmosStatus(error);
      if (status === 409 || status === 412) throw concurrentChange(kind, name, error);
      throw translateCosmosError(error, `config write of ${kind}/${name}`, 'SinkFailed', { target: 'name' });
    }
    await this.audit(kind, name, current === undefined ? 'create' : 'update', version, options, diffItems(current?.item, item));
    return { stored: toStored(written), changed: true, created: current === undefined };
  }

  /** Deletes an item; false when it did not exist. */
  async delete(kind: ConfigKind, name: string, options: ConfigWriteOptions): Promise<boolean> {
    const current = await this.read(kind, name);
    checkIfMatch(kind, name, current, options.ifMatch);
    if (current === undefined) return false;
    try {
      await this.container.item(current.id, kind).delete({ accessCondition: { type: 'IfMatch', condition: current._etag ?? '' } });
    } catch (error) {
      const status = cosmosStatus(error);
      if (status === 404) return false;
      if (status === 412) throw concurrentChange(kind, name, error);
      throw translateCosmosError(error, `config delete of ${kind}/${name}`, 'SinkFailed');
    }
    await this.audit(kind, name, 'delete', current.version + 1, options, diffItems(current.item, undefined));
    return true;
  }

  /** Audit entries, newest first. */
  async listAudit(limit = 100): Promise<ConfigAuditEntry[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new SluiceError('InvalidArgument', `Audit limit must be an integer from 1 to 1000, got ${limit}. To fix: pass a smaller limit.`, { ids: { target: 'limit' } });
    }
    const docs = await this.query<AuditDocument>(`SELECT TOP ${limit} * FROM c WHERE c.docType = 'audit' ORDER BY c.at DESC`, [], undefined, 'config audit list');
    return docs.map(({ kind, name, action, version, at, identity, changes }) => ({ kind: kind as ConfigKind, name, action, version, at, identity, changes }));
  }

  private async audit(kind: ConfigKind, name: string, action: ConfigAuditEntry['action'], version: number, options: ConfigWriteOptions,
    changes: ItemChange[]): Promise<void> {
    const doc: AuditDocument = { id: `audit:${kind}:${name}:${version}`, kind, docType: 'audit', name, action, version, at: options.nowIso, identity: options.identity, changes };
    try {
      await this.container.items.upsert(doc);
    } catch (error) {
      throw translateCosmosError(error, `config audit of ${kind}/${name}`, 'SinkFailed');
    }
  }

  private async read(kind: ConfigKind, name: string): Promise<ItemDocument | undefined> {
    try {
      const { resource } = await this.container.item(itemId(kind, name), kind).read<ItemDocument>();
      return resource ?? undefined;
    } catch (error) {
      if (cosmosStatus(error) === 404) return undefined;
      throw translateCosmosError(error, `config read of ${kind}/${name}`, 'SinkFailed');
    }
  }

  private async query<T>(query: string, parameters: { name: string; value: string }[], partitionKey: string | undefined, where: string): Promise<T[]> {
    try {
      const options = partitionKey === undefined ? {} : { partitionKey };
      const { resources } = await this.container.items.query<T>({ query, parameters }, options).fetchAll();
      return resources;
    } catch (error) {
      throw translateCosmosError(error, where, 'SinkFailed');
    }
  }
}

function toStored(doc: ItemDocument): StoredConfigItem {
  return { kind: doc.kind as ConfigKind, name: doc.name, item: doc.item, version: doc.version, updatedAt: doc.updatedAt, updatedBy: doc.updatedBy, etag: doc._etag ?? '' };
}

function checkIfMatch(kind: ConfigKind, name: string, current: ItemDocument | undefined, ifMatch: string | undefined): void {
  if (ifMatch === undefined || ifMatch === '*' && current !== undefined) return;
  if (current?._etag === ifMatch) return;
  throw new SluiceError('PreconditionFailed',
    `Config item ${kind}/${name} ${current === undefined ? 'does not exist' : `has ETag ${current._etag ?? ''}`}, not the If-Match ${ifMatch}. ` +
    'To fix: GET the item, re-apply your change to it and send it with its current ETag.', { ids: { target: 'If-Match' } });
}

function concurrentChange(kind: ConfigKind, name: string, cause: unknown): SluiceError {
  return new SluiceError('PreconditionFailed', `Config item ${kind}/${name} was changed concurrently by another writer. ` +
    'To fix: GET the item and send your change again.', { retryable: true, ids: { target: 'name' }, cause });
}
