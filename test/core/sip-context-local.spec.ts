import { test, group, assert } from "../lib/spec.js";
import { UaContext } from "../../sip/context.js";
import { IdSource } from "../../sip/ids.js";
import { DigestAuthenticator } from "../../sip/digest.js";
import { DEFAULT_UA_CONFIG } from "../../sip/config.js";
import type { TransactionLayer } from "../../sip/transaction-layer.js";

function context(local: { address: string; port: number }): UaContext {
	const random = (target: Uint8Array) => target.fill(7);
	const log = { info() {}, warn() {}, error() {} };
	return new UaContext({
		config: { ...DEFAULT_UA_CONFIG, user: "620" },
		layer: {} as TransactionLayer,
		ids: new IdSource(random),
		auth: new DigestAuthenticator(() => "0".repeat(32), () => "0".repeat(64), random),
		log,
		localAddress: () => local.address,
		localPort: () => local.port,
	});
}

group("context: local lines", () => {
	test("local() gives the Via prefix and Contact that via() and contact() make", () => {
		const ctx = context({ address: "192.168.178.30", port: 5062 });
		const local = ctx.local();
		assert.equal(local.viaPrefix.concat("z9hG4bKabc", ";rport"), ctx.via("z9hG4bKabc"));
		assert.equal(local.contact, ctx.contact());
		assert.equal(local.contact, "Contact: <sip:620@192.168.178.30:5062>");
	});

	test("a new address, port or user makes them again", () => {
		const where = { address: "192.168.178.30", port: 5062 };
		const ctx = context(where);
		assert.equal(ctx.local().viaPrefix, "Via: SIP/2.0/UDP 192.168.178.30:5062;branch=");
		where.address = "10.0.0.7";
		assert.equal(ctx.local().viaPrefix, "Via: SIP/2.0/UDP 10.0.0.7:5062;branch=");
		where.port = 5070;
		assert.equal(ctx.local().contact, "Contact: <sip:620@10.0.0.7:5070>");
		ctx.config = { ...ctx.config, user: "621" };
		assert.equal(ctx.local().contact, "Contact: <sip:621@10.0.0.7:5070>");
		assert.equal(ctx.local().address, "10.0.0.7");
	});

	test("identityLines(): address-of-record and From prefix, made again when the display name changes", () => {
		const ctx = context({ address: "192.168.178.30", port: 5062 });
		ctx.config = { ...ctx.config, displayName: "Haustür", server: "fritz.box" };
		const lines = ctx.identityLines();
		assert.equal(lines.aor, "sip:620@fritz.box");
		assert.equal(lines.fromPrefix, 'From: "Haustür" <sip:620@fritz.box>;tag=');
		assert.equal(ctx.from("abc"), 'From: "Haustür" <sip:620@fritz.box>;tag=abc');
		ctx.config = { ...ctx.config, displayName: 'Tor "2"' };
		assert.equal(ctx.identity(), '"Tor \\"2\\"" <sip:620@fritz.box>');
		assert.equal(ctx.identityLines().fromPrefix, 'From: "Tor \\"2\\"" <sip:620@fritz.box>;tag=');
	});
});
