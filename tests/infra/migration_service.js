// What infrastructure/migration-service must keep (read with the real HCL grammar):
// the health check at the path prefix, security groups chained ALB -> service ->
// database and nothing else, the token in Secrets Manager passed by name (never a value
// or a flag), S3 read-only for the task role, and a container that runs `serve` with time
// to finish a migration after SIGTERM. Prints one line per problem; exit 1 on any.
//   node migration_service.js COMPONENT_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const hcl = require(path.join(__dirname, '..', 'node_modules', '@cdktf', 'hcl2json'));

(async () => {
	const dir = process.argv[2];
	const file = path.join(dir, 'main.tf');
	const d = await hcl.parse('main.tf', fs.readFileSync(file, 'utf8'));
	const problems = [];
	const bad = (what) => problems.push(`${path.relative(process.cwd(), file)}: ${what}`);
	const res = (type) => d.resource[type] || {};

	const tg = Object.values(res('aws_lb_target_group'))[0]?.[0];
	const hc = tg?.health_check?.[0];
	if (!hc || hc.path !== '${var.path_prefix}/health') bad('the target group health check is not ${var.path_prefix}/health');
	if (!hc || String(hc.matcher) !== '200') bad('the health check does not expect 200');

	// Every ingress/egress rule: allowed pairs only.
	const allowed = {
		ingress: [
			['aws_security_group.alb', 'cidr'],
			['aws_security_group.service', 'aws_security_group.alb'],
			['data.aws_security_group.db', 'aws_security_group.service'],
		],
		egress: [
			['aws_security_group.alb', 'aws_security_group.service'],
			['aws_security_group.service', 'data.aws_security_group.db'],
			['aws_security_group.service', 'cidr:443'],
		],
	};
	for (const kind of ['ingress', 'egress'])
		for (const [name, [r]] of Object.entries(res(`aws_vpc_security_group_${kind}_rule`))) {
			const sg = String(r.security_group_id).replace(/^\$\{(.*)\.id\}$/, '$1');
			let peer = r.referenced_security_group_id ? String(r.referenced_security_group_id).replace(/^\$\{(.*)\.id\}$/, '$1') : 'cidr';
			if (peer === 'cidr' && kind === 'egress') peer = `cidr:${r.from_port}`;
			if (!allowed[kind].some(([a, b]) => a === sg && b === peer))
				bad(`${kind} rule ${name} (${sg} <-> ${peer}) is outside ALB -> service -> database`);
		}

	const stmts = d.data?.aws_iam_policy_document?.task?.[0]?.statement || [];
	const actions = stmts.flatMap((s) => s.actions);
	for (const a of actions)
		if (a.startsWith('s3:') && !['s3:ListBucket', 's3:GetObject'].includes(a)) bad(`task role has ${a}: S3 must stay read-only`);
	if (!actions.includes('s3:GetObject') || !actions.includes('s3:ListBucket')) bad('task role cannot read the migrations bucket');
	if (actions.some((a) => a === '*' || a.endsWith(':*'))) bad('task role has a wildcard action');
	const tokenStmt = stmts.find((s) => String(s.resources) === '${aws_secretsmanager_secret.token.arn}');
	if (!tokenStmt) bad('task role cannot read the token secret (aws_secretsmanager_secret.token)');
	if (d.resource.aws_secretsmanager_secret_version) bad('the token value must not be in Terraform state (set it out of band)');

	const td = Object.values(res('aws_ecs_task_definition'))[0]?.[0];
	const cd = String(td?.container_definitions || '');
	if (!/"serve"/.test(cd) || !/local\.command/.test(cd)) bad('the container does not run local.command');
	const cmd = JSON.stringify(d.locals || '');
	if (!/"orchestrator","serve"|"orchestrator", "serve"/.test(cmd.replace(/\\"/g, '"'))) bad('local.command is not orchestrator serve');
	if (/--token|SERVE_TOKEN=/.test(cmd + cd)) bad('the token is passed as a value or flag');
	if (!/SERVE_TOKEN_SECRET/.test(cd)) bad('the container gets no SERVE_TOKEN_SECRET');
	if (!/stopTimeout\s*=\s*120/.test(cd)) bad('no stopTimeout = 120: SIGTERM would not leave a migration time to finish');

	for (const p of problems) console.log(p);
	console.log(`checked ${path.basename(dir)}`);
	process.exit(problems.length ? 1 : 0);
})();
