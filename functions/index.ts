/**
 * The app's entry point (package.json "main"): importing a module registers its functions, exactly as the
 * Azure Functions Node worker loads the app. Add one import per registration file.
 * `extractWindow` and `loadWindow` are registered in stream-sync.ts with the connector-backed implementations.
 */
import './http-health';
import './config-api';
import '../entities/stream';
import '../entities/semaphore';
import '../orchestrators/stream-worker';
import '../orchestrators/ingest-batch';
import './activities/notify-grants';
import './activities/raise-alert';
import './activities/track-telemetry';
import './activities/start-stream-worker';
import '../orchestrators/stream-control';
import '../orchestrators/semaphore-control';
import './semaphore-reaper';
import './http-streams';
import './http-stream-windows';
import './http-semaphores';
import './dashboard/http-dashboard';
import './ingress';
import './stream-sync';
import './activities/elt-load';
import './activities/record-load';
import './activities/elt-cosmos-chunk';
import './activities/elt-export';
import './activities/elt-notify';
import '../orchestrators/elt-load';
import './loads-api';
import './loads-on-arrival';
import './telemetry/metrics-timer';
