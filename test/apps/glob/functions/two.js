const { app } = require('@azure/functions');

app.get('two', { route: 'glob/two', handler: async () => ({ body: 'two' }) });
