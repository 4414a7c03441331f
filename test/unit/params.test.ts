// Parameter normalisation (SPEC section 3): query string and form body merged, `x[]` read as `x`,
// a scalar repeated with one value accepted, with two values rejected.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../../src/domain/errors.js';
import { ParamErrors, collectParams, has, single } from '../../src/domain/params.js';

describe('collectParams', () => {
  test('a single value, repeated keys and `name[]` all become a list', () => {
    assert.deepEqual(collectParams({ category: 'a' }).get('category'), ['a']);
    assert.deepEqual(collectParams({ category: ['a', 'b'] }).get('category'), ['a', 'b']);
    assert.deepEqual(collectParams({ 'category[]': ['a', 'b'] }).get('category'), ['a', 'b']);
    assert.deepEqual(collectParams({ 'category[]': 'a' }).get('category'), ['a']);
    // PHP: http_build_query(['category' => ['a', 'b']]) and curl field arrays number the elements.
    assert.deepEqual(collectParams({ 'category[0]': 'a', 'category[1]': 'b', 'category[12]': 'c' }).get('category'), ['a', 'b', 'c']);
    assert.equal(collectParams({ 'category[x]': 'a' }).get('category'), undefined, 'only numeric indexes');
  });

  test('query string and body are merged in order', () => {
    const params = collectParams({ category: 'a', days: '3' }, { 'category[]': ['b', 'c'], user: 'c1' });
    assert.deepEqual(params.get('category'), ['a', 'b', 'c']);
    assert.deepEqual(params.get('days'), ['3']);
    assert.deepEqual(params.get('user'), ['c1']);
  });

  test('a missing body and non-string leaves are ignored', () => {
    const params = collectParams({ days: '3' }, undefined, null, { nested: { x: '1' } as unknown, n: 5 as unknown });
    assert.deepEqual(params.get('days'), ['3']);
    assert.equal(has(params, 'nested'), false);
    assert.equal(has(params, 'n'), false);
  });
});

describe('single', () => {
  const run = (values: string[] | undefined) => {
    const errors = new ParamErrors();
    const params = collectParams(values === undefined ? {} : { days: values });
    return { value: single(params, 'days', errors), errors };
  };

  test('absent, once, or the same value twice', () => {
    assert.equal(run(undefined).value, undefined);
    assert.equal(run(['3']).value, '3');
    const twice = run(['3', '3']);
    assert.equal(twice.value, '3');
    assert.equal(twice.errors.empty, true);
  });

  test('two different values are an error naming the parameter', () => {
    const { value, errors } = run(['3', '4']);
    assert.equal(value, undefined);
    assert.throws(
      () => errors.throwIfAny(),
      (e: unknown) => e instanceof ApiError && e.status === 400 && e.messages.join('|') === 'error in days: must be given only once',
    );
  });
});
