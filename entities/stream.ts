/**
 * The `stream` entity (key = stream id): the single source of truth of one stream, a thin adapter over
 * core/stream. Each operation answers an `EntityReply` (see ./operation.ts); the state is written only when the
 * operation succeeded and changed it.
 */
import * as df from 'durable-functions';
import { createStreamState, type StreamState } from '../core/stream';
import { reply } from './operation';
import { runStreamOperation, streamEntityName } from './stream-operations';

export function streamEntity(context: df.EntityContext<StreamState>): void {
  const result = reply(() => {
    const state = context.df.getState(() => createStreamState(context.df.entityKey)) as StreamState;
    const next = runStreamOperation(state, context.df.operationName ?? '', context.df.getInput());
    if (next.state !== state) context.df.setState(next.state);
    return next.value;
  });
  context.df.return(result);
}

df.app.entity(streamEntityName, streamEntity);
