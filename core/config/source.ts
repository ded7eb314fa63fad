/** Where a pipeline reads its data: inline records in the events, landed blobs, or a paginated HTTP API. */
import { z } from 'zod';
import { BLOB_GLOB } from './blob-glob';
import { positiveInt, settingName } from './identifiers';

const inlineSource = z
  .object({ kind: z.literal('inline').describe('Records travel inside the events; nothing to read.') })
  .strict();

const blobSource = z
  .object({
    kind: z.literal('blob').describe('Data lands as files in Blob Storage (events carry blob refs, or files trigger loads).'),
    container: z.string().min(1, 'expected a container name').optional().describe('Landing container. Default: the SLUICE_LANDING_CONTAINER app setting.'),
    prefix: z.string().default('').describe('Blob name prefix of this pipeline\'s files. Default: "" (the whole container).'),
    loadOnArrival: z
      .string()
      .regex(BLOB_GLOB, 'expected a blob name glob such as "orders/*.csv" (no leading "/", no spaces)')
      .optional()
      .describe('Blob name glob in the landing container whose new or changed blobs start an ELT load of this pipeline, once per blob version (ETag); ' +
        '"*" matches within a path segment, "**" across segments. Needs the app setting SLUICE_LOADS_ON_ARRIVAL=true. Default: none (loads start through POST /api/loads).'),
  })
  .strict();

const paging = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none').describe('One request returns everything.') }).strict(),
  z
    .object({
      kind: z.literal('cursor').describe('Each response names the cursor of the next page.'),
      cursorParam: z.string().min(1).default('cursor').describe('Query parameter carrying the cursor. Default: "cursor".'),
      nextCursorPath: z.string().min(1).default('nextCursor').describe('Dotted path of the next cursor in the response; absent or null ends paging. Default: "nextCursor".'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('page').describe('Numbered pages until a short or empty page.'),
      pageParam: z.string().min(1).default('page').describe('Query parameter of the page number (1-based). Default: "page".'),
      sizeParam: z.string().min(1).default('pageSize').describe('Query parameter of the page size. Default: "pageSize".'),
      pageSize: positiveInt('records per page').default(100).describe('Records per page. Default: 100.'),
    })
    .strict(),
]);

const httpSource = z
  .object({
    kind: z.literal('http').describe('A JSON HTTP API read for the window (since, until], page by page.'),
    url: z.url({ protocol: /^https?$/, error: 'expected an absolute http(s) URL' }).describe('Endpoint URL; the window and paging parameters are added to its query.'),
    itemsPath: z.string().min(1).default('items').describe('Dotted path of the records array in each response. Default: "items".'),
    sinceParam: z.string().min(1).default('since').describe('Query parameter of the exclusive window start. Default: "since".'),
    untilParam: z.string().min(1).default('until').describe('Query parameter of the inclusive window end. Default: "until".'),
    streamParam: z
      .string()
      .min(1)
      .optional()
      .describe('Query parameter carrying the stream id, for an API serving many streams (e.g. "partition"). Default: not sent.'),
    timeFormat: z.enum(['iso', 'epochMs']).default('iso').describe('How since/until are written: ISO-8601 UTC or epoch ms. Default: "iso".'),
    paging: paging.prefault({ kind: 'none' }).describe('How to page through results. Default: { kind: "none" }.'),
    headerSettings: z
      .record(z.string().min(1), settingName)
      .default({})
      .describe('Request headers whose values come from app settings: header name -> setting name (secrets stay out of the config). Default: {}.'),
    timeoutInMs: positiveInt('milliseconds').default(30_000).describe('Timeout of one request in ms. Default: 30000.'),
  })
  .strict();

export const sourceSchema = z
  .discriminatedUnion('kind', [inlineSource, blobSource, httpSource])
  .describe('Where the data comes from: "inline", "blob" or "http".');

export type SourceConfig = z.output<typeof sourceSchema>;
