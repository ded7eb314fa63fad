import fc from 'fast-check';
import { compileRouteTemplate } from '../../../../local/host/http/route-template';

const identifier = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
const segmentValue = fc.string({ minLength: 1, maxLength: 12 }).filter((value) => !value.includes('/'));

describe('route template properties', () => {
  it('returns exactly the parameter values a path was built from, whatever characters they contain', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(identifier.map((literal) => ({ literal })), identifier.map((param) => ({ param }))), { minLength: 1, maxLength: 5 }),
        fc.array(segmentValue, { minLength: 5, maxLength: 5 }),
        (segments, values) => {
          const names = new Set<string>();
          const parts = segments.filter((segment) => !('param' in segment) || (!names.has(segment.param) && names.add(segment.param)));
          const template = parts.map((segment) => ('param' in segment ? `{${segment.param}}` : segment.literal)).join('/');
          const expected: Record<string, string> = {};
          const path = parts
            .map((segment, index) => {
              if (!('param' in segment)) return segment.literal;
              const value = values[index] as string;
              expected[segment.param] = value;
              return encodeURIComponent(value);
            })
            .join('/');
          expect(compileRouteTemplate(template).match(`/${path}`)).toEqual(expected);
        },
      ),
    );
  });

  it('an int constraint accepts exactly the 32-bit integers', () => {
    const route = compileRouteTemplate('items/{id:int}');
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (id) => {
        expect(route.match(`/items/${id}`)).toEqual({ id: String(id) });
      }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 2 ** 31, max: 2 ** 40 }), fc.integer({ min: -(2 ** 40), max: -(2 ** 31) - 1 })), (id) => {
        expect(route.match(`/items/${id}`)).toBeUndefined();
      }),
    );
  });
});
