// `npm run build:esp32s3`: the firmware image for an ESP32-S3, built with the Moddable SDK:
// `mcconfig -d -m -p esp32/esp32s3` in the project (debug build, then flash with -m). Arguments
// after `--` go to mcconfig, e.g. `npm run build:esp32s3 -- ssid=MyWiFi "password=my secret"`
// or `-p esp32/xiao_esp32s3_sense` for that board's Moddable target. The SDK's TypeScript step
// uses this project's tsc (node_modules/.bin is put first on PATH).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { delimiter, join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const SETUP = "See README.md, \"The ESP32-S3 device build\".";

function fail(message) {
	console.error(`build:esp32s3: ${message}\n${SETUP}`);
	process.exit(1);
}

const moddable = process.env.MODDABLE;
if (!moddable) fail("$MODDABLE is not set. Install the Moddable SDK (e.g. `npm install -g xs-dev && xs-dev setup && xs-dev setup --device esp32`) and export MODDABLE=<its directory>.");
if (!existsSync(moddable) || !statSync(moddable).isDirectory() || !existsSync(join(moddable, "tools", "mcconfig.js"))) fail(`$MODDABLE is ${moddable}, which is not a Moddable SDK checkout (no tools/mcconfig.js there).`);

const host = process.platform === "darwin" ? "mac" : process.platform === "win32" ? "win" : "lin";
const toolDir = join(moddable, "build", "bin", host, "release");
const exe = process.platform === "win32" ? "mcconfig.exe" : "mcconfig";
const pathDirs = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
const onPath = pathDirs.some((dir) => existsSync(join(dir, exe)));
if (!onPath && !existsSync(join(toolDir, exe))) fail(`mcconfig is missing: not on PATH and not in ${toolDir}. Build the SDK tools (cd $MODDABLE/build/makefiles/${host} && make) or let xs-dev do it.`);
if (!process.env.IDF_PATH) fail("$IDF_PATH is not set: the ESP32 build needs ESP-IDF (xs-dev installs it; then source its export.sh, or run `. $IDF_PATH/export.sh`).");

const env = { ...process.env, PATH: [join(root, "node_modules", ".bin"), ...(onPath ? [] : [toolDir]), ...pathDirs].join(delimiter) };
const args = ["-d", "-m", "-p", "esp32/esp32s3", ...process.argv.slice(2)];
console.log(`build:esp32s3: mcconfig ${args.join(" ")}`);
const started = Date.now();
const result = spawnSync(exe, args, { cwd: root, env, stdio: "inherit" });
if (result.error) fail(`mcconfig did not start: ${result.error.message}`);
if (result.status === 0) {
	// The application image for an update over the air (the page's firmware update): the
	// xs_esp32.bin this build wrote into $MODDABLE/build/bin/esp32/<board>/<debug|release>/<name>/.
	const image = newestImage(join(moddable, "build", "bin", "esp32"), started - 2000);
	if (image) {
		const bytes = readFileSync(image);
		console.log(`build:esp32s3: OTA image ${image}`);
		console.log(`build:esp32s3: ${bytes.length} bytes, SHA-256 ${createHash("sha256").update(bytes).digest("hex")}`);
	} else console.log("build:esp32s3: no xs_esp32.bin from this build found under $MODDABLE/build/bin/esp32");
}
process.exit(result.status ?? 1);

/** The newest xs_esp32.bin below `dir` written since `since` (ms), or undefined. */
function newestImage(dir, since) {
	let best;
	const walk = (path) => {
		if (!existsSync(path)) return;
		for (const entry of readdirSync(path, { withFileTypes: true })) {
			const full = join(path, entry.name);
			if (entry.isDirectory()) walk(full);
			else if (entry.name === "xs_esp32.bin") {
				const time = statSync(full).mtimeMs;
				if (time >= since && (!best || time > best.time)) best = { full, time };
			}
		}
	};
	walk(dir);
	return best?.full;
}
