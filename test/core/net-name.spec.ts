import { test, group, assert } from "../lib/spec.js";
import { checkHostLabel, CheckError } from "../../config/checks.js";
import { needsRestart } from "../../config/keys.js";
import { bootApp } from "../lib/app-harness.js";

group("name on the LAN (mDNS)", () => {
	test("a name is one DNS label: letters, digits and '-', at most 63, lowercased", () => {
		assert.equal(checkHostLabel("Haustuer"), "haustuer");
		assert.equal(checkHostLabel(" klingel-2 "), "klingel-2");
		assert.equal(checkHostLabel("a".repeat(63)), "a".repeat(63));
		for (const [bad, message] of [["", /required/], ["a".repeat(64), /63/], ["haus tür", /not a space/], ["klingel.local", /not "\."/], ["-klingel", /start or end/], ["tür", /not "ü"/]] as const) {
			assert.throws(() => checkHostLabel(bad), message, bad);
			try {
				checkHostLabel(bad);
			} catch (error) {
				assert.ok(error instanceof CheckError);
			}
		}
	});

	test("the application announces the stored name once at start, klingel by default; a new name waits for a restart", () => {
		const names: string[] = [];
		const announce = (name: string) => {
			names.push(name);
			return true;
		};
		bootApp({ env: { announce } });
		assert.deepEqual(names, ["klingel"]);
		bootApp({ settings: { net: { hostname: "gartentor" } }, env: { announce } });
		assert.deepEqual(names, ["klingel", "gartentor"]);
		assert.ok(needsRestart("hostname"));
	});
});
