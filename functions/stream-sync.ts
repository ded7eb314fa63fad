/** Registers the stream worker's extract and load activities with the connector-backed implementations. */
import { registerExtractWindow } from './activities/extract-window';
import { registerLoadWindow } from './activities/load-window';
import { windowExtractor } from './window-extractor';
import { windowLoader } from './window-loader';

registerExtractWindow(windowExtractor);
registerLoadWindow(windowLoader);
