// Blob functions return what they saw, so the test reads the trigger value and binding data from the result.
const { app } = require('@azure/functions');

app.storageBlob('poisonBlob', {
  path: 'poison/{name}',
  connection: 'BlobConnection',
  handler: async () => {
    throw new Error('cannot process this blob');
  },
});

app.storageBlob('onBlob', {
  path: '%INCOMING_CONTAINER%/{name}',
  connection: 'BlobConnection',
  handler: async (blob, context) => ({
    name: context.triggerMetadata.name,
    blobTrigger: context.triggerMetadata.blobTrigger,
    isBuffer: Buffer.isBuffer(blob),
    text: blob.toString('utf8'),
  }),
});
