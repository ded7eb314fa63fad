import * as df from 'durable-functions';
import type { EntityContext, EntityHandler } from 'durable-functions';

const counter: EntityHandler<number> = (context: EntityContext<number>) => {
  const current = context.df.getState(() => 0) ?? 0;
  switch (context.df.operationName) {
    case 'add':
      context.df.setState(current + (context.df.getInput() as number));
      break;
    case 'reset':
      context.df.setState(0);
      break;
    case 'get':
      context.df.return(current);
      break;
    case 'fail':
      throw new Error('counter refused the operation');
  }
};
df.app.entity('Counter', counter);
