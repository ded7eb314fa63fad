/** Public surface of the local Service Bus emulator. */
export { startServiceBusEmulator, type ServiceBusEmulator, type StartServiceBusEmulatorOptions } from './server';
export { ManualClock, systemClock, type Clock, type TimerHandle } from './engine/clock';
export type { QueueConfig, QueueConfigInput } from './config';
