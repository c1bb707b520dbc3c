// HCL structure checks of infrastructure/ (terraform validate cannot run here: providers
// cannot be downloaded). Parses every .tf and .tfvars with the real HCL grammar
// (@cdktf/hcl2json) and prints one line per problem: "<file>: <what>". Exit 1 on any.
//   node structure.js INFRA_DIR CONFIG_JSON [INFRA_DIR CONFIG_JSON ...]
// With several pairs (the tests check broken copies in one process: loading the HCL
// parser costs a second), each line is prefixed with "[n] ", n counting pairs from 1.
'use strict';
const fs = require('fs');
const path = require('path');
const hcl = require(path.join(__dirname, '..', 'node_modules', '@cdktf', 'hcl2json'));

const args = process.argv.slice(2);
let problems = [];
const problem = (file, what) => problems.push(`${path.relative(process.cwd(), file)}: ${what}`);

const REQUIRED_FILES = ['main.tf', 'variables.tf', 'outputs.tf'];
const EXACT_VERSION = /^\d+\.\d+\.\d+$/;

async function parse(file) {
	try {
		return await hcl.parse(path.basename(file), fs.readFileSync(file, 'utf8'));
	} catch (e) {
		problem(file, `does not parse as HCL: ${String(e.message || e).split('\n')[0]}`);
		return null;
	}
}

async function component(dir, regions) {
	const name = path.basename(dir);
	for (const f of REQUIRED_FILES)
		if (!fs.existsSync(path.join(dir, f))) problem(path.join(dir, f), 'missing');
	const tfFiles = fs.readdirSync(dir).filter((f) => f.endsWith('.tf')).sort();
	const declared = new Map(); // variable -> has default
	const providersUsed = new Set();
	const required = new Map();
	let backends = [];
	const referenced = new Set();
	for (const f of tfFiles) {
		const file = path.join(dir, f);
		const text = fs.readFileSync(file, 'utf8');
		for (const m of text.matchAll(/\bvar\.([A-Za-z_][A-Za-z0-9_-]*)/g)) referenced.add(m[1]);
		const doc = await parse(file);
		if (!doc) continue;
		for (const [v, blocks] of Object.entries(doc.variable || {})) {
			if (declared.has(v)) problem(file, `variable ${v} declared twice`);
			declared.set(v, blocks.some((b) => Object.prototype.hasOwnProperty.call(b, 'default')));
		}
		for (const kind of ['resource', 'data'])
			for (const type of Object.keys(doc[kind] || {})) providersUsed.add(type.split('_')[0]);
		for (const p of Object.keys(doc.provider || {})) providersUsed.add(p);
		for (const t of doc.terraform || []) {
			for (const rp of t.required_providers || [])
				for (const [p, spec] of Object.entries(rp)) required.set(p, { spec, file });
			if (t.backend) backends.push({ backend: t.backend, file });
			if (!t.required_version) problem(file, 'terraform block without required_version');
		}
	}
	for (const p of providersUsed) {
		const r = required.get(p);
		if (!r) problem(path.join(dir, 'main.tf'), `provider ${p} is used but not in required_providers`);
	}
	for (const [p, { spec, file }] of required) {
		if (typeof spec !== 'object' || !spec.source) problem(file, `required_providers.${p} has no source`);
		else if (!EXACT_VERSION.test(String(spec.version || '')))
			problem(file, `required_providers.${p}.version "${spec.version || ''}" is not pinned to one version (write X.Y.Z)`);
	}
	if (backends.length !== 1) problem(path.join(dir, 'main.tf'), `expected one backend block, found ${backends.length}`);
	for (const { backend, file } of backends) {
		const s3 = backend.s3;
		if (!s3) {
			problem(file, `backend is ${Object.keys(backend).join(',')}, expected s3`);
			continue;
		}
		for (const key of ['bucket', 'region', 'key'])
			if (s3.some((b) => key in b))
				problem(file, `backend "s3" sets ${key}: it must stay partial (given at init from config.json)`);
	}
	for (const v of referenced)
		if (!declared.has(v)) problem(path.join(dir, 'variables.tf'), `var.${v} is referenced but not declared`);

	const varDir = path.join(dir, 'var-files');
	const present = fs.existsSync(varDir) ? fs.readdirSync(varDir).filter((f) => f.endsWith('.tfvars')) : [];
	const wanted = new Set([...regions].map((r) => `${r}.tfvars`));
	for (const r of wanted)
		if (!present.includes(r)) problem(path.join(varDir, r), `missing: config.json has region ${r.replace(/\.tfvars$/, '')}`);
	for (const f of present.sort()) {
		const file = path.join(varDir, f);
		const vars = await parse(file);
		if (!vars) continue;
		for (const k of Object.keys(vars))
			if (!declared.has(k)) problem(file, `sets ${k}, which ${name}/variables.tf does not declare`);
		for (const [v, hasDefault] of declared)
			if (!hasDefault && !(v in vars)) problem(file, `does not set ${v}, which has no default`);
		const region = f.replace(/\.tfvars$/, '');
		if ('region' in vars && vars.region !== region)
			problem(file, `region = "${vars.region}" in the file of region ${region}`);
	}
}

async function checkTree(infra, configPath) {
	problems = [];
	const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
	const regions = new Set(Object.keys(config.infrastructure || {}));
	const comps = fs
		.readdirSync(infra, { withFileTypes: true })
		.filter((d) => d.isDirectory() && d.name !== 'examples')
		.map((d) => d.name)
		.sort();
	if (comps.length === 0) problem(infra, 'no components');
	for (const c of comps) await component(path.join(infra, c), regions);
	return [...problems, `checked ${comps.length} components: ${comps.join(' ')}`];
}

(async () => {
	let failed = false;
	for (let i = 0; i + 1 < args.length; i += 2) {
		const lines = await checkTree(args[i], args[i + 1]);
		failed = failed || lines.length > 1;
		const prefix = args.length > 2 ? `[${i / 2 + 1}] ` : '';
		for (const l of lines) console.log(prefix + l);
	}
	process.exit(failed ? 1 : 0);
})();
