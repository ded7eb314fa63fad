const { app } = require('@azure/functions');

app.get('one', { route: 'glob/one', handler: async () => ({ body: 'one' }) });
