import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applySettings, loadHostConfig, resolveSettingReferences } from '../../../../local/host/config';

describe('host.json and local.settings.json', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sluice-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults the route prefix to api and reads no settings when the files are absent', () => {
    expect(loadHostConfig(dir)).toEqual({ hostJson: {}, routePrefix: 'api', settings: {}, localHttpPort: undefined });
  });

  it('reads routePrefix, Values as strings and Host.LocalHttpPort', () => {
    writeFileSync(path.join(dir, 'host.json'), JSON.stringify({ version: '2.0', extensions: { http: { routePrefix: '/v1/' } } }));
    writeFileSync(path.join(dir, 'local.settings.json'), JSON.stringify({ Values: { A: 'x', N: 3 }, Host: { LocalHttpPort: 7075 } }));
    expect(loadHostConfig(dir)).toMatchObject({ routePrefix: 'v1', settings: { A: 'x', N: '3' }, localHttpPort: 7075 });
  });

  it('refuses an encrypted or malformed local.settings.json with a fix', () => {
    writeFileSync(path.join(dir, 'local.settings.json'), JSON.stringify({ IsEncrypted: true, Values: {} }));
    expect(() => loadHostConfig(dir)).toThrow('To fix');
    writeFileSync(path.join(dir, 'local.settings.json'), '{ not json');
    expect(() => loadHostConfig(dir)).toThrow('is not valid JSON');
  });

  it('adds settings to the environment without overwriting variables already set', () => {
    const env: NodeJS.ProcessEnv = { A: 'from shell' };
    applySettings({ A: 'from file', B: 'b' }, env);
    expect(env).toEqual({ A: 'from shell', B: 'b' });
  });

  it('resolves %NAME% references and names the missing setting', () => {
    expect(resolveSettingReferences('%C%/{name}', { C: 'incoming' }, 'path')).toBe('incoming/{name}');
    expect(() => resolveSettingReferences('%MISSING%', {}, "The schedule of function 'tick'")).toThrow('"%MISSING%"');
  });
});
