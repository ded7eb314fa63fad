/** Blob connector: client factory, landing and rejects writers, listing and ranged reads. See docs/connectors.md. */
export { createBlobServiceClient, type CreateBlobServiceClientOptions } from './client';
export { listBlobs, getBlobInfo, openRange, ensureContainer, quotedEtag, type BlobInfo, type OpenRangeOptions } from './blob-io';
export { writeLanding, RejectsWriter, type WriteLandingOptions, type RejectsWriterOptions } from './writers';
export { landingBlobName, rejectsBlobName, blobSegment } from './paths';
export { translateBlobError } from './blob-errors';
