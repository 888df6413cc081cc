'use strict';
// Packaging: `npm pack` ships the compiled addon for this platform, and a
// fresh project installs the package from the tarball or from this
// directory, then uses it through require and import. npm runs offline
// here: the package has no runtime dependencies.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { base, pkg } = require('./helpers');

const npmCli = process.env.npm_execpath && process.env.npm_execpath.endsWith('.js') ? [process.execPath, process.env.npm_execpath] : ['npm'];
const target = `${process.platform}-${process.arch}`;

function npm(args, cwd) {
  const r = spawnSync(npmCli[0], [...npmCli.slice(1), ...args, '--no-audit', '--no-fund', '--offline'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  assert.equal(r.status, 0, `npm ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function freshProject(name) {
  const dir = path.join(base, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  return dir;
}

/** Uses the installed package from the project, with require and with import. */
function useInstalled(dir) {
  const db = path.join(dir, 'db');
  fs.writeFileSync(path.join(dir, 'use.cjs'), `
    const { ToonStore } = require('toonstore');
    const db = ToonStore.open(${JSON.stringify(db)});
    const id = db.put(Buffer.from('users[1]{id,name}: 1,Alice'));
    console.log(id, String(db.get(id)), require.resolve('toonstore'));
    db.close();
  `);
  fs.writeFileSync(path.join(dir, 'use.mjs'), `
    import { ToonStore } from 'toonstore';
    const db = await ToonStore.openAsync(${JSON.stringify(db)});
    console.log(db.count());
    await db.closeAsync();
  `);
  const cjs = spawnSync(process.execPath, ['use.cjs'], { cwd: dir, encoding: 'utf8' });
  assert.equal(cjs.status, 0, cjs.stderr);
  const [id, value, resolved] = cjs.stdout.trim().split(/ (?=users|\/)/);
  assert.equal(id, '0');
  assert.equal(value, 'users[1]{id,name}: 1,Alice');
  const esm = spawnSync(process.execPath, ['use.mjs'], { cwd: dir, encoding: 'utf8' });
  assert.equal(esm.status, 0, esm.stderr);
  assert.equal(esm.stdout.trim(), '1');
  return resolved;
}

test('npm pack holds the compiled addon; a fresh project installs and uses the tarball', () => {
  const out = path.join(base, 'pack');
  fs.mkdirSync(out, { recursive: true });
  npm(['pack', '--pack-destination', out], pkg);
  const tarball = fs.readdirSync(out).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote a tarball');
  assert.equal(fs.existsSync(path.join(pkg, 'prebuilds')), false, 'postpack removed prebuilds/ from the checkout');
  const list = spawnSync('tar', ['tzf', path.join(out, tarball)], { encoding: 'utf8' }).stdout.split('\n');
  for (const f of ['package.json', 'index.js', 'index.mjs', 'index.d.ts', 'lib/native.js', `prebuilds/${target}/toonstore.node`]) {
    assert.ok(list.includes(`package/${f}`), `the tarball holds ${f}`);
  }
  assert.ok(!list.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/') || f.includes('target/')), 'no sources or build tree');

  const project = freshProject('from-tarball');
  npm(['install', path.join(out, tarball)], project);
  const installed = path.join(project, 'node_modules', 'toonstore');
  assert.ok(fs.existsSync(path.join(installed, 'prebuilds', target, 'toonstore.node')));
  assert.equal(fs.existsSync(path.join(installed, 'native')), false, 'nothing was built: the prebuilt addon is used');
  const resolved = useInstalled(project);
  assert.ok(resolved.startsWith(installed), resolved);
});

test('npm install <path>/bindings/node into a fresh project builds and works', () => {
  const project = freshProject('from-path');
  // Moved away (this process keeps its mapping), so that the check below
  // sees the install script's own build; put back if the install fails.
  const addon = path.join(pkg, 'native', 'toonstore.node');
  const saved = `${addon}.saved-${process.pid}`;
  fs.renameSync(addon, saved);
  try {
    npm(['install', pkg], project);
  } finally {
    if (!fs.existsSync(addon)) fs.renameSync(saved, addon);
    else fs.rmSync(saved, { force: true });
  }
  assert.ok(fs.existsSync(addon), 'the install script built the addon');
  useInstalled(project);
});
