import { comparePrecedence, compileRouteTemplate } from '../../../../local/host/http/route-template';

describe('route templates', () => {
  it('matches literals case-insensitively and extracts parameters', () => {
    const route = compileRouteTemplate('orders/{id}/lines/{line}');
    expect(route.match('/Orders/42/LINES/7')).toEqual({ id: '42', line: '7' });
    expect(route.match('/orders/42/lines')).toBeUndefined();
  });

  it('treats {name?} as optional and applies {name=default}', () => {
    expect(compileRouteTemplate('hello/{name?}').match('/hello')).toEqual({});
    expect(compileRouteTemplate('hello/{name?}').match('/hello/ann')).toEqual({ name: 'ann' });
    expect(compileRouteTemplate('page/{n=1}').match('/page')).toEqual({ n: '1' });
  });

  it('enforces inline constraints', () => {
    const route = compileRouteTemplate('items/{id:int}');
    expect(route.match('/items/12')).toEqual({ id: '12' });
    expect(route.match('/items/abc')).toBeUndefined();
    expect(route.match('/items/99999999999')).toBeUndefined();
    expect(compileRouteTemplate('c/{x:alpha:maxlength(3)}').match('/c/abcd')).toBeUndefined();
    expect(compileRouteTemplate('c/{x:alpha:maxlength(3)}').match('/c/abc')).toEqual({ x: 'abc' });
    expect(compileRouteTemplate('r/{n:range(1,9)}').match('/r/10')).toBeUndefined();
    expect(compileRouteTemplate('g/{id:guid}').match('/g/3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBeDefined();
    expect(compileRouteTemplate('x/{v:regex(^a[0-9]+$)}').match('/x/a12')).toEqual({ v: 'a12' });
  });

  it('captures the rest of the path with a catch-all and decodes segments', () => {
    expect(compileRouteTemplate('files/{*path}').match('/files/a%20b/c.txt')).toEqual({ path: 'a b/c.txt' });
  });

  it('supports several parameters in one segment', () => {
    expect(compileRouteTemplate('img/{name}.{ext}').match('/img/cat.png')).toEqual({ name: 'cat', ext: 'png' });
  });

  it('rejects unknown constraints with a fix', () => {
    expect(() => compileRouteTemplate('a/{b:shiny}')).toThrow('To fix');
  });

  it('orders literal segments before parameters before catch-alls', () => {
    const literal = compileRouteTemplate('items/special').precedence;
    const param = compileRouteTemplate('items/{id}').precedence;
    const catchAll = compileRouteTemplate('items/{*rest}').precedence;
    expect(comparePrecedence(literal, param)).toBeLessThan(0);
    expect(comparePrecedence(param, catchAll)).toBeLessThan(0);
  });
});
