// Timer functions return what they saw, so the test reads the trigger value from the invocation result.
const { app } = require('@azure/functions');

app.timer('tick', {
  schedule: '%TICK_SCHEDULE%',
  handler: async (timer) => ({ isPastDue: timer.isPastDue, scheduleStatus: timer.scheduleStatus ?? null }),
});

app.timer('onStartup', {
  schedule: '0 0 0 1 1 *',
  runOnStartup: true,
  handler: async (timer) => ({ isPastDue: timer.isPastDue }),
});

app.timer('fast', {
  schedule: '*/10 * * * * *',
  handler: async (timer) => ({ isPastDue: timer.isPastDue, scheduleStatus: timer.scheduleStatus ?? null }),
});
