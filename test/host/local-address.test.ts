// The simulator's address in its SIP messages follows the PBX: saved on the page, a PBX reached
// from another local address gets a REGISTER whose Via and Contact name that address, as the
// device's name its Wi-Fi's. Run in a network namespace (test/host/local-address-probe.ts) where
// 127.0.0.2 is reached from 127.0.0.2, so every packet stays on 127.0.0.0/8.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { sourcePath } from "../rig/paths.js";

test("a PBX saved on the page that the system reaches from another local address gets that address in Via and Contact", { timeout: 60000 }, () => {
	const setup = 'ip link set lo up && ip route add local 127.0.0.2 dev lo table local src 127.0.0.2 && exec "$0" "$1"';
	const probe = spawnSync("unshare", ["-rn", "sh", "-c", setup, process.execPath, sourcePath("build/test/host/local-address-probe.js")], { encoding: "utf8", timeout: 50000 });
	assert.equal(probe.status, 0, `the probe failed (unshare -rn and ip from iproute2 are needed):\n${probe.stdout}\n${probe.stderr}`);
	const result = JSON.parse(probe.stdout.trim().split("\n").pop()!) as { first?: { contact: string; via: string }; second?: { contact: string; via: string }; localAddress?: string; saved?: number };
	assert.equal(result.saved, 200);
	assert.match(result.first?.contact ?? "", /^<sip:620@127\.0\.0\.1:\d+>/, "the first PBX, reached from 127.0.0.1");
	assert.match(result.second?.via ?? "", /^SIP\/2\.0\/UDP 127\.0\.0\.2:\d+;/);
	assert.match(result.second?.contact ?? "", /^<sip:620@127\.0\.0\.2:\d+>/);
	assert.equal(result.localAddress, "127.0.0.2");
});
