/*
 * modules/device/settings.ts (as tsc -p tsconfig.device.json emits it) on the XS test host, over
 * a model of `mc/config` (sdk/mc/config.js; KLINGEL_XS_EMBEDDED=test/device/sdk): the manifest's
 * pins. The BOOT button resets the admin password when held: on the pin of the door button, a
 * visitor holding the bell for 10 s would do it, so the build refuses any part of the board on
 * the BOOT button's pin, naming both keys; nor two other parts on one pin, where one would read or
 * drive the other's line (the LED's blinking would pulse the door relay), naming both keys and
 * both parts. Prints "ok - …" / "not ok - …" lines and
 * "N passed, N failed".
 */
import { deviceSettings } from "../../build/device/modules/device/settings.js";
import config from "mc/config";
import { check, summary } from "./xs-checks.js";

/** deviceSettings() over `keys` (the rest at their defaults): the settings, or the error's message. */
function settingsWith(keys) {
	for (const key of Object.keys(config)) delete config[key];
	Object.assign(config, keys);
	try {
		return { settings: deviceSettings() };
	} catch (error) {
		return { error: String(error?.message ?? error) };
	}
}

const plain = settingsWith({});
check(plain.settings?.bootButtonPin === 0 && plain.settings?.buttonPin === 4, "the defaults: the door button on GPIO4, the BOOT button on GPIO0", JSON.stringify(plain));

const doorButton = settingsWith({ button_pin: 0 });
check(/boot_button_pin/.test(doorButton.error ?? "") && /button_pin/.test((doorButton.error ?? "").replace("boot_button_pin", "")) && /admin password/.test(doorButton.error ?? ""), "the door button on the BOOT button's GPIO0 is refused, naming both keys and why", JSON.stringify(doorButton));

const moved = settingsWith({ button_pin: 5, boot_button_pin: 5 });
check(moved.error !== undefined && /cannot be 5/.test(moved.error), "and on any other pin the two share", JSON.stringify(moved));

for (const key of ["relay_pin", "gong_pin", "led_pin"]) {
	const shared = settingsWith({ [key]: 0 });
	check(shared.error !== undefined && shared.error.includes(key), `${key} on the BOOT button's pin is refused`, JSON.stringify(shared));
}

// Each pair of the other parts, the second moved to the first's default pin.
const parts = [["relay_pin", 1, "the door relay"], ["led_pin", 2, "the status LED"], ["gong_pin", 3, "the gong relay"], ["button_pin", 4, "the door button"]];
for (const [firstKey, firstPin, firstPart] of parts) {
	for (const [secondKey, , secondPart] of parts) {
		if (secondKey === firstKey) continue;
		const shared = settingsWith({ [secondKey]: firstPin });
		const error = shared.error ?? "";
		const named = [firstKey, secondKey, firstPart, secondPart].every((words) => new RegExp(`(^|[^_])${words}`).test(error));
		check(named && error.includes(`cannot both be ${firstPin}: `) && /one GPIO serves one part/.test(error), `${secondKey} on ${firstKey}'s GPIO${firstPin} is refused, naming both keys and both parts`, JSON.stringify(shared));
	}
}
const moved2 = settingsWith({ relay_pin: 21, led_pin: 21 });
check(/relay_pin/.test(moved2.error ?? "") && /led_pin/.test(moved2.error ?? ""), "and on a pin neither has by default", JSON.stringify(moved2));

const none = settingsWith({ button_pin: 0, boot_button_pin: -1 });
check(none.settings?.buttonPin === 0 && none.settings?.bootButtonPin === -1, "without a BOOT button (-1) the door button may be on GPIO0", JSON.stringify(none));

const unwired = settingsWith({ gong_pin: -1, led_pin: -1 });
check(unwired.settings?.gongPin === -1 && unwired.settings?.ledPin === -1, "parts not wired (-1) share nothing", JSON.stringify(unwired));

summary();
