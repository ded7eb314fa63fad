import { buildExportSql } from '../../../connectors/postgres/export-query';

describe('export SQL', () => {
  it('builds an aggregate with quoted identifiers, count(*) without a column, grouped and ordered by the key', () => {
    expect(buildExportSql({ kind: 'aggregate', schema: 'lake', table: 'Sales', groupBy: ['rep', 'day'], measures: [{ fn: 'count', as: 'n' }, { fn: 'sum', column: 'amount', as: 'Total' }] }, 'rep'))
      .toBe('select rep, day, count(*) as n, sum(amount) as "Total" from lake."Sales" group by rep, day order by rep');
  });

  it('wraps a configured SELECT as a sub-query ordered by the quoted key', () => {
    expect(buildExportSql({ kind: 'query', sql: 'select rep, sum(x) as t from s group by rep' }, 'Rep'))
      .toBe('select * from (select rep, sum(x) as t from s group by rep) as sluice_export order by "Rep"');
  });
});
