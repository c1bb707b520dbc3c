// Prints {"FILE": <hcl2json of FILE>, ...} for the .tf files given, with the real HCL
// grammar (@cdktf/hcl2json), so that Python checks can read Terraform.
//   node hcl2json.js FILE...
'use strict';
const fs = require('fs');
const path = require('path');
const hcl = require(path.join(__dirname, '..', 'node_modules', '@cdktf', 'hcl2json'));

(async () => {
	const out = {};
	for (const f of process.argv.slice(2)) out[f] = await hcl.parse(path.basename(f), fs.readFileSync(f, 'utf8'));
	console.log(JSON.stringify(out));
})();
