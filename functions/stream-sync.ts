/** Registers the stream worker's extract, load and replay activities with the connector-backed implementations. */
import { registerExtractWindow } from './activities/extract-window';
import { registerLoadWindow } from './activities/load-window';
import { registerReplayWindow } from './activities/replay-window';
import { windowExtractor } from './window-extractor';
import { windowLoader } from './window-loader';
import { windowReplayer } from './window-replayer';

registerExtractWindow(windowExtractor);
registerLoadWindow(windowLoader);
registerReplayWindow(windowReplayer);
