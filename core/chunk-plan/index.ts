export type { BoundaryStrategy, ByteRange, CsvDialect, FilePlan, LandedFile, RecordFormat } from './types';
export type { CsvScanOptions, CsvScanResult } from './csv-scanner';
export { CsvBoundaryScanner, scanCsvChunks } from './csv-scanner';
export type { LineChunkOptions, LineChunkPlan, ReadRange } from './line-probe';
export { nextLineStart, planLineChunks } from './line-probe';
export type { ChunkTask, PlanOptions } from './plan';
export { chooseStrategy, chunkTasks, planWholeFiles } from './plan';
