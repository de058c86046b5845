// Checks on the manifest that mcconfig cannot make before the device is built.
// The device reads its version from the manifest's config (mcconfig compiles it in; the SDK
// cannot read package.json): the two must say the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WIDE_FRAME_SAMPLES } from "../../rtp/call-frame.js";
import { BOARD_PARTS, boardPart, chipPinProblem, DEFAULT_BOARD_PINS, MAX_GPIO } from "../../modules/esp32s3-pins.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

test("the manifest's config.version is package.json's version", () => {
	const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
	const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as { config: { version?: string } };
	assert.equal(manifest.config.version, pkg.version);
});

// mcconfig compiles the C files the manifest names and nothing else: a core file missing there
// links on Node (the Makefile's CORE_SRC) and fails only when the device's image is linked.
test("the manifest names every C file of the audio core", () => {
	const makefile = readFileSync(join(root, "rtp", "native", "Makefile"), "utf8");
	const core = /^CORE_SRC\s*:=\s*(.+)$/m.exec(makefile)?.[1].trim().split(/\s+/) ?? [];
	assert.ok(core.length > 0, "CORE_SRC not found in rtp/native/Makefile");
	const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as { modules: Record<string, string | string[]> };
	const listed = new Set([manifest.modules["*"]].flat());
	const missing = core.filter((file) => !listed.has(`./rtp/native/${file.replace(/\.c$/, "")}`));
	assert.deepEqual(missing, []);
});

// The SDK's Linux socket fails every multicast socket half-built, and collecting it closes
// descriptor 0, which the next accepted web connection then gets and the simulator's listener
// drops (modules/device/mdns.ts): the lin build must not start mDNS; the ESP32 build must.
test("mDNS is on for the device and off for the lin build", () => {
	const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as { config: Record<string, unknown>; platforms: Record<string, { config?: Record<string, unknown> }> };
	assert.equal(manifest.config.mdns, true);
	assert.equal(manifest.platforms.lin?.config?.mdns, false);
	assert.equal(manifest.platforms.esp32?.config?.mdns, undefined, "the ESP32 build keeps the common setting");
});

// On the XIAO ESP32S3 Sense, malloc puts blocks over 16 KB (SPIRAM_MALLOC_ALWAYSINTERNAL) in PSRAM;
// every XS heap and every growth step is one malloc of its size (16 bytes a slot on the ESP32).
test("on the PSRAM board every XS heap block is over 16 KB, so none takes internal RAM", () => {
	const memory = JSON.parse(readFileSync(join(root, "manifest_boards.json"), "utf8")) as {
		creation: Creation;
		platforms: Record<string, { creation?: Partial<Creation> }>;
	};
	const xiao = { ...memory.creation, ...memory.platforms["esp32/xiao_esp32s3"]?.creation };
	const blocks = { "slot heap": xiao.heap.initial * 16, "slot step": xiao.heap.incremental * 16, "chunk heap": xiao.chunk.initial, "chunk step": xiao.chunk.incremental };
	for (const [what, bytes] of Object.entries(blocks)) assert.ok(bytes > 16384, `${what}: ${bytes} bytes would land in internal RAM`);
	const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as { include: string[]; creation?: unknown };
	assert.equal(manifest.include.at(-1), "./manifest_boards.json", "included last, so its values win over the SDK's and the target's");
	assert.equal(manifest.creation, undefined, "manifest.json's own creation would win over manifest_boards.json's");
});

// The SDK's ESP32 audio output (modules/io/audioout/esp32) gathers writes into whole DMA buffers
// of I2S_DMA_BUFFER_MAX_SIZE bytes (4,092 unless defined: 2,046 samples, 128 ms at 16 kHz) and
// plays each from a ring of six: a sample left the speaker 128-256 ms after the door wrote it,
// which is delay in every call and puts the echo beyond the canceller's 64 ms. One 20 ms frame a
// buffer: a frame written goes to the DMA at once, into the free buffer that plays next.
test("the speaker's DMA buffers hold one 20 ms frame of the speaker's rate each", () => {
	const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as {
		platforms: Record<string, { build?: Record<string, string>; defines?: { audioOut?: { sampleRate: number; bitsPerSample: number; numChannels: number } } }>;
	};
	const esp32 = manifest.platforms.esp32;
	const out = esp32?.defines?.audioOut;
	assert.ok(out, "the ESP32 build defines audioOut");
	assert.equal(out.sampleRate, 16000, "the speaker runs at the wide frame's rate");
	const bytes = /-DI2S_DMA_BUFFER_MAX_SIZE=(\d+)\b/.exec(esp32?.build?.C_FLAGS_SUBPLATFORM ?? "")?.[1];
	assert.equal(Number(bytes), (WIDE_FRAME_SAMPLES * out.bitsPerSample * out.numChannels) / 8);
});

interface Creation {
	chunk: { initial: number; incremental: number };
	heap: { initial: number; incremental: number };
}

// mcconfig merges the ESP-IDF settings of one directory: the XIAO's (its board settings and
// klingel's) must carry every setting the common one has, rollback among them.
test("the XIAO's sdkconfig directory has every setting of sdkconfig/sdkconfig.defaults", () => {
	const settings = (path: string) => readFileSync(join(root, path), "utf8").split("\n").map((line) => line.trim()).filter((line) => line && !line.startsWith("#"));
	const boards = JSON.parse(readFileSync(join(root, "manifest_boards.json"), "utf8")) as { platforms: Record<string, { build?: { SDKCONFIGPATH?: string } }> };
	const dir = boards.platforms["esp32/xiao_esp32s3"]?.build?.SDKCONFIGPATH;
	assert.ok(dir, "manifest_boards.json gives esp32/xiao_esp32s3 its SDKCONFIGPATH");
	const common = settings("sdkconfig/sdkconfig.defaults");
	assert.ok(common.includes("CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y"));
	const xiao = new Set(settings(join(dir, "sdkconfig.defaults")));
	assert.deepEqual(common.filter((line) => !xiao.has(line)), []);
	assert.ok(xiao.has("CONFIG_SPIRAM=y") && xiao.has("CONFIG_ESPTOOLPY_FLASHSIZE_8MB=y"), "the board's own settings (PSRAM, 8 MB flash) are there too");
});

// The SDK's esp32s3 defaults turn the task watchdog off and stop a panic in the GDB stub: a hung XS
// thread left the door dead until its power was cut. Both directories mcconfig may merge (the
// common one and the XIAO's) must turn it on with a panic that restarts the chip, watch only the
// XS thread, and give it the timeout the comment there explains.
test("both sdkconfig directories reset the chip when the XS thread hangs for 10 s", () => {
	const boards = JSON.parse(readFileSync(join(root, "manifest_boards.json"), "utf8")) as { platforms: Record<string, { build?: { SDKCONFIGPATH?: string } }> };
	const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as { platforms: Record<string, { build?: { SDKCONFIGPATH?: string } }> };
	const dirs = [manifest.platforms.esp32?.build?.SDKCONFIGPATH, boards.platforms["esp32/xiao_esp32s3"]?.build?.SDKCONFIGPATH];
	assert.deepEqual(dirs, ["./sdkconfig", "./sdkconfig/xiao_esp32s3"]);
	for (const dir of dirs) {
		const values = new Map<string, string>();
		for (const line of readFileSync(join(root, dir!, "sdkconfig.defaults"), "utf8").split("\n")) {
			const m = /^(CONFIG_\w+)=(.*)$/.exec(line.trim());
			if (m) values.set(m[1], m[2]);
		}
		const wanted: Record<string, string> = {
			CONFIG_ESP_TASK_WDT_EN: "y",
			CONFIG_ESP_TASK_WDT_INIT: "y",
			CONFIG_ESP_TASK_WDT_PANIC: "y",
			CONFIG_ESP_TASK_WDT_TIMEOUT_S: "10",
			CONFIG_ESP_TASK_WDT_CHECK_IDLE_TASK_CPU0: "n",
			CONFIG_ESP_TASK_WDT_CHECK_IDLE_TASK_CPU1: "n",
			CONFIG_ESP_INT_WDT: "y",
			CONFIG_ESP_SYSTEM_PANIC_GDBSTUB: "n",
			CONFIG_ESP_SYSTEM_PANIC_PRINT_REBOOT: "y",
		};
		for (const [name, value] of Object.entries(wanted)) assert.equal(values.get(name), value, `${dir}/sdkconfig.defaults: ${name}`);
	}
});

// The settings refuse a bell button on a pin the board's parts use (modules/esp32s3-pins.ts names
// them for the message); the manifest wires them: the two must name the same pins, all of them
// pins the ESP32-S3 can open.
test("the board's parts in modules/esp32s3-pins.ts are on the pins manifest.json gives them", () => {
	const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as {
		config: Record<string, unknown>;
		platforms: Record<string, { defines?: { audioIn?: { i2s: Record<string, number> }; audioOut?: { i2s: Record<string, unknown> }; camera?: Record<string, number> } }>;
	};
	const defines = manifest.platforms.esp32?.defines;
	assert.ok(defines?.audioIn && defines.audioOut && defines.camera, "the ESP32 build defines audioIn, audioOut and camera");
	const wired = new Map<number, string>();
	const wire = (pin: unknown, what: string) => {
		assert.ok(Number.isInteger(pin), `${what} is a pin number`);
		assert.equal(wired.get(pin as number), undefined, `${what} and ${wired.get(pin as number)} on one pin`);
		wired.set(pin as number, what);
	};
	for (const { field, key } of BOARD_PARTS) {
		wire(manifest.config[key], `config ${key}`);
		assert.equal(manifest.config[key], DEFAULT_BOARD_PINS[field], `config ${key}: the default wiring's, which the device settings take where the build gives none and the bell buttons' check where the provider names none`);
	}
	assert.deepEqual(Object.keys(DEFAULT_BOARD_PINS).sort(), BOARD_PARTS.map((p) => p.field).sort(), "every part of the default wiring has a config key and a name");
	wire(defines.audioIn.i2s.lr_pin, "audioIn lr_pin");
	wire(defines.audioIn.i2s.datain, "audioIn datain");
	for (const key of ["bck_pin", "lr_pin", "dataout_pin"]) wire(defines.audioOut.i2s[key], `audioOut ${key}`);
	for (const [key, pin] of Object.entries(defines.camera)) wire(pin, `camera ${key}`);
	for (let pin = 0; pin <= MAX_GPIO; pin++) {
		assert.equal(boardPart(pin) !== undefined, wired.has(pin), `GPIO${pin}: ${boardPart(pin) ?? "free"} in esp32s3-pins.ts, ${wired.get(pin) ?? "free"} in manifest.json`);
		if (wired.has(pin)) assert.equal(chipPinProblem(pin), undefined, `${wired.get(pin)} on GPIO${pin}`);
	}
});
