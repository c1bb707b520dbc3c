// mdcheck.mjs FILE...: parses each markdown file as GitHub does (cmark-gfm with GitHub's
// extensions, raw HTML kept as GitHub's sanitizer sees it) and every ```mermaid block with
// Mermaid's own parser (mermaid + jsdom, no browser). Prints one JSON object per file:
//   {file, headings: [{level, text}], links: [href], tables: [{header, rows: [[cell]]}],
//    codeBlocks: n, mermaid: [{ok, error, entities: [name], relationships: n}]}
// The tests read the facts from it; this script judges nothing itself.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, '..', 'node_modules');
const require = createRequire(join(modules, 'x.js'));
const { JSDOM } = require('jsdom');

// Mermaid needs a DOM (DOMPurify, d3 selections) even to parse: jsdom's window.
const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>', { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const k of ['Element', 'HTMLElement', 'DOMParser', 'Node', 'SVGElement', 'MutationObserver'])
	if (!(k in globalThis)) globalThis[k] = dom.window[k];
const mermaid = (await import(pathToFileURL(join(modules, 'mermaid', 'dist', 'mermaid.core.mjs')).href)).default;
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

// The text a node shows: its text and code leaves (the XML's indentation left out).
const text = (n) => Array.from(n.getElementsByTagName('*')).filter((e) => e.tagName === 'text' || e.tagName === 'code').map((e) => e.textContent).join('');
for (const file of process.argv.slice(2)) {
	const xml = execFileSync('cmark-gfm', ['--unsafe', '-e', 'table', '-e', 'autolink', '-e', 'strikethrough', '-e', 'tagfilter', '-t', 'xml', file], { maxBuffer: 1 << 30 }).toString();
	const doc = new dom.window.DOMParser().parseFromString(xml, 'application/xml');
	const all = (tag) => Array.from(doc.getElementsByTagName(tag));
	const out = { file, headings: [], links: [], tables: [], codeBlocks: 0, mermaid: [] };
	for (const h of all('heading')) out.headings.push({ level: Number(h.getAttribute('level')), text: text(h) });
	for (const l of all('link')) out.links.push(l.getAttribute('destination'));
	for (const t of all('table')) {
		const rows = Array.from(t.getElementsByTagName('table_row')).map((r) => Array.from(r.getElementsByTagName('table_cell')).map((c) => text(c)));
		const hdr = t.getElementsByTagName('table_header')[0];
		out.tables.push({ header: hdr ? Array.from(hdr.getElementsByTagName("table_cell")).map((c) => text(c)) : [], rows });
	}
	for (const cb of all('code_block')) {
		out.codeBlocks++;
		if (cb.getAttribute('info') !== 'mermaid') continue;
		const src = cb.textContent;
		const res = { ok: false, error: null, entities: [], relationships: 0 };
		try {
			const diagram = await mermaid.mermaidAPI.getDiagramFromText(src);
			const db = diagram.db;
			res.ok = true;
			res.entities = Array.from(db.getEntities().keys()).sort();
			res.relationships = db.getRelationships().length;
		} catch (e) {
			res.error = String(e && e.message ? e.message : e).split('\n').slice(0, 4).join(' / ');
		}
		out.mermaid.push(res);
	}
	console.log(JSON.stringify(out));
}
