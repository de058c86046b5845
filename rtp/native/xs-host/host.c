/*
 * klingel's XS test host: runs one ES module (and what it imports) on XS 13.3 with the audio
 * binding's `@` host functions bound to their C functions.
 *
 *   xs-host MODULE.js          exit 0 when the module and its promise jobs finish without an
 *                              uncaught exception, 1 otherwise
 *
 * With KLINGEL_XS_EMBEDDED=DIR in the environment, a specifier "embedded:NAME" or a bare NAME
 * (an SDK module of the device, e.g. "embedded:io/audio/in", "wifi", "dns/server") loads
 * DIR/NAME.js: a model of it for a test.
 *
 * In the GC-stress build (mxStress) every allocation first runs a compacting collection, from
 * the loading of the module on.
 *
 * Globals for the test modules: print(...values), gc(), gcStress(on) (switches the stress off
 * and on again; returns true only in the GC-stress build),
 * computrons() (XS's meter: a machine-independent count of the work done), heapSlots() and
 * heapChunkBytes() (heap in use: slots, bytes of chunks), heapPeakReset() and heapPeakSlots()
 * (the most slots in use since the reset: above the current count when a collection ran).
 */
#include "xsAll.h"
#include "xsScript.h"

#ifdef KLINGEL_GC_STRESS
extern int gxStress; /* xsMemory.c with mxStress: > 0 collects before every allocation */
#endif

/* ---- the `@` names this host binds (each listed once: declared and put in the table from here) ---- */

#define HOST_FUNCTIONS(X) \
	X(xs_klingel_encode) \
	X(xs_klingel_decode) \
	X(xs_klingel_mix) \
	X(xs_klingel_tone_init) \
	X(xs_klingel_tone_fill) \
	X(xs_klingel_downsample) \
	X(xs_klingel_upsample) \
	X(xs_klingel_g722_encode) \
	X(xs_klingel_g722_decode) \
	X(xs_klingel_aec) \
	X(xs_klingel_aec_process) \
	X(xs_klingel_aec_close) \
	X(xs_klingel_aec_count) \
	X(xs_klingel_copy_bytes) \
	X(xs_test_reference_encode) \
	X(xs_test_reference_decode) \
	X(xs_test_stale_encode) \
	X(xs_test_core_tone) \
	X(xs_test_core_resample) \
	X(xs_test_core_g722) \
	X(xs_test_core_aec) \
	X(xs_test_native_blocks) \
	X(fx_petrify)

/* The destructors of host classes (`class C @ "name"`), called with the host data. */
#define HOST_DESTRUCTORS(X) \
	X(xs_klingel_aec_destructor)

#define DECLARE(name) extern void name(txMachine *the);
HOST_FUNCTIONS(DECLARE)
#undef DECLARE
#define DECLARE(name) extern void name(void *data);
HOST_DESTRUCTORS(DECLARE)
#undef DECLARE

static const struct {
	const char *name;
	txCallback callback;
} hostFunctions[] = {
#define ENTRY(name) { #name, name },
	HOST_FUNCTIONS(ENTRY)
#undef ENTRY
/* fxBuildHosts calls a builder of length -1 as the destructor of a new host object. */
#define ENTRY(name) { #name, (txCallback)(void (*)(void))name },
	HOST_DESTRUCTORS(ENTRY)
#undef ENTRY
};

/*
 * A module with `@` functions gets a callback that builds its hosts array (what Moddable's
 * compiler generates per module). The callback has no argument, so there is a small fixed set
 * of them, one per module with host functions.
 */
#define MAX_HOST_MODULES 4
static txHostFunctionBuilder *moduleBuilders[MAX_HOST_MODULES];
static txInteger moduleBuilderCounts[MAX_HOST_MODULES];
static int hostModuleCount;

static void buildHosts(txMachine *the, int index)
{
	fxBuildHosts(the, moduleBuilderCounts[index], moduleBuilders[index]);
	mxPullSlot(mxResult);
}
static void buildHosts0(txMachine *the) { buildHosts(the, 0); }
static void buildHosts1(txMachine *the) { buildHosts(the, 1); }
static void buildHosts2(txMachine *the) { buildHosts(the, 2); }
static void buildHosts3(txMachine *the) { buildHosts(the, 3); }
static const txCallback buildHostsCallbacks[MAX_HOST_MODULES] = { buildHosts0, buildHosts1, buildHosts2, buildHosts3 };

static txCallback findHostFunction(const char *name)
{
	size_t i;
	for (i = 0; i < sizeof hostFunctions / sizeof hostFunctions[0]; i++)
		if (!strcmp(hostFunctions[i].name, name)) return hostFunctions[i].callback;
	return NULL;
}

/* Reads the script's host list (count, then per function: parameter count, ID, name). */
static void bindHosts(txMachine *the, txScript *script, const char *path)
{
	txByte *p = (txByte *)script->hostsBuffer;
	txID count, i;
	txHostFunctionBuilder *builders;
	int index;
	if (!p) return;
	mxDecodeID(p, count);
	if (hostModuleCount == MAX_HOST_MODULES) {
		fxDeleteScript(script);
		mxUnknownError("%s: more than %d modules with host functions", path, MAX_HOST_MODULES);
	}
	builders = c_calloc(count ? count : 1, sizeof *builders);
	if (!builders) fxAbort(the, XS_NOT_ENOUGH_MEMORY_EXIT);
	for (i = 0; i < count; i++) {
		txID id;
		txS1 length = *p++;
		const char *name;
		mxDecodeID(p, id);
		(void)id;
		name = (const char *)p;
		p += c_strlen(name) + 1;
		builders[i].callback = findHostFunction(name);
		builders[i].length = length;
		builders[i].id = XS_NO_ID;
		if (!builders[i].callback) {
			c_free(builders);
			fxDeleteScript(script);
			mxReferenceError("%s: no host function @ \"%s\" in this host", path, name);
		}
	}
	index = hostModuleCount++;
	moduleBuilders[index] = builders;
	moduleBuilderCounts[index] = count;
	script->callback = buildHostsCallbacks[index];
}

/* ---- modules from files ---- */

/* Absolute specifiers as they are; "./" and "../" against the importing module's path. */
txID fxFindModule(txMachine *the, txSlot *realm, txID moduleID, txSlot *slot)
{
	char name[C_PATH_MAX], joined[2 * C_PATH_MAX], real[C_PATH_MAX];
	const char *models = getenv("KLINGEL_XS_EMBEDDED");
	fxToStringBuffer(the, slot, name, sizeof name);
	if (name[0] == '/') {
		c_strcpy(joined, name);
	}
	else if (models && c_strncmp(name, "./", 2) && c_strncmp(name, "../", 3)) {
		/* the device's SDK modules, played by the test's models of them */
		const char *sdkName = c_strncmp(name, "embedded:", 9) ? name : name + 9;
		if (snprintf(joined, sizeof joined, "%s/%s.js", models, sdkName) >= (int)sizeof joined) return XS_NO_ID;
	}
	else if (!c_strncmp(name, "./", 2) || !c_strncmp(name, "../", 3)) {
		char *slash;
		if (moduleID == XS_NO_ID) return XS_NO_ID;
		c_strncpy(joined, fxGetKeyName(the, moduleID), C_PATH_MAX - 1);
		joined[C_PATH_MAX - 1] = 0;
		slash = c_strrchr(joined, '/');
		if (!slash) return XS_NO_ID;
		slash[1] = 0;
		c_strcat(joined, name);
	}
	else
		return XS_NO_ID;
	if (!realpath(joined, real)) return XS_NO_ID;
	return fxNewNameC(the, real);
}

static txScript *parseModuleFile(txMachine *the, const char *path)
{
	txParser parserRecord;
	txParser *parser = &parserRecord;
	txParserJump jump;
	txScript *volatile script = NULL; /* lives across setjmp */
	FILE *file = fopen(path, "r");
	if (!file) return NULL;
	fxInitializeParser(parser, the, the->parserBufferSize, the->parserTableModulo);
	parser->firstJump = &jump;
	if (c_setjmp(jump.jmp_buf) == 0) {
		parser->path = fxNewParserSymbol(parser, (txString)path);
		/* mxCFlag: accept `function f() @ "c_name";` as the Moddable compiler does */
		fxParserTree(parser, file, (txGetter)fgetc, mxCFlag, NULL);
		fxParserHoist(parser);
		fxParserBind(parser);
		script = fxParserCode(parser);
	}
	fclose(file);
	fxTerminateParser(parser);
	return script;
}

void fxLoadModule(txMachine *the, txSlot *module, txID moduleID)
{
	txString path = fxGetKeyName(the, moduleID);
	txScript *script = parseModuleFile(the, path);
	if (!script) mxSyntaxError("%s: cannot be parsed", path);
	bindHosts(the, script, path);
	fxResolveModule(the, module, moduleID, script, C_NULL, C_NULL);
}

void fxQueuePromiseJobs(txMachine *the)
{
	the->promiseJobsPending = 1;
}

/* ---- globals ---- */

static void host_print(txMachine *the)
{
	txInteger i, argc = mxArgc;
	for (i = 0; i < argc; i++) {
		if (i) fputc(' ', stdout);
		fputs(fxToString(the, mxArgv(i)), stdout);
	}
	fputc('\n', stdout);
	fflush(stdout);
}

static void host_gc(txMachine *the)
{
	fxCollectGarbage(the);
}

static void host_gc_stress(txMachine *the)
{
#ifdef KLINGEL_GC_STRESS
	gxStress = mxArgc > 0 && fxToBoolean(the, mxArgv(0)) ? 1 : 0;
	mxResult->kind = XS_BOOLEAN_KIND;
	mxResult->value.boolean = 1;
#else
	mxResult->kind = XS_BOOLEAN_KIND;
	mxResult->value.boolean = 0;
#endif
}

static void host_computrons(txMachine *the)
{
	mxResult->kind = XS_NUMBER_KIND;
	mxResult->value.number = (txNumber)the->meterIndex;
}

/* Numbers only: reading them allocates nothing. */
/* heapPeakReset() starts a peak measurement; heapPeakSlots() is the largest slot count since. */
static void host_heap_peak_reset(txMachine *the)
{
	the->peakHeapCount = the->currentHeapCount;
	the->peakChunksSize = the->currentChunksSize;
}

static void host_heap_peak_slots(txMachine *the)
{
	mxResult->kind = XS_NUMBER_KIND;
	mxResult->value.number = (txNumber)the->peakHeapCount;
}

static void host_heap_slots(txMachine *the)
{
	mxResult->kind = XS_NUMBER_KIND;
	mxResult->value.number = (txNumber)the->currentHeapCount;
}

static void host_heap_chunk_bytes(txMachine *the)
{
	mxResult->kind = XS_NUMBER_KIND;
	mxResult->value.number = (txNumber)the->currentChunksSize;
}

static void defineGlobal(txMachine *the, char *name, txCallback callback, txInteger length)
{
	fxNewHostFunction(the, callback, length, fxID(the, name), XS_NO_ID);
	mxPushSlot(&mxGlobal);
	mxSetID(fxID(the, name));
	mxPop();
}

/* ---- running ---- */

static int moduleStatus = 0; /* 0 pending, 1 done, 2 failed */

static void onModuleDone(txMachine *the)
{
	moduleStatus = 1;
}

static void onModuleFailed(txMachine *the)
{
	moduleStatus = 2;
	fprintf(stdout, "not ok - module: %s\n", mxArgc > 0 ? fxToString(the, mxArgv(0)) : "rejected");
	if (mxArgc > 0 && mxArgv(0)->kind == XS_REFERENCE_KIND) {
		mxPushSlot(mxArgv(0));
		mxGetID(mxID(_stack));
		if (mxIsStringPrimitive(the->stack)) fprintf(stdout, "# %s\n", the->stack->value.string);
		mxPop();
	}
}

int main(int argc, char **argv)
{
	/* Small heap increments: the GC-stress build collects the whole heap before every allocation. */
	txCreation creation = {
		1024 * 1024,      /* initialChunkSize */
		256 * 1024,       /* incrementalChunkSize */
		32 * 1024,        /* initialHeapCount */
		8 * 1024,         /* incrementalHeapCount */
		16 * 1024,        /* stackCount */
		4 * 1024,         /* initialKeyCount */
		1024,             /* incrementalKeyCount */
		1993,             /* nameModulo */
		127,              /* symbolModulo */
		64 * 1024,        /* parserBufferSize */
		1993,             /* parserTableModulo */
		0,                /* staticSize */
	};
	char real[C_PATH_MAX];
	txMachine *the;
	volatile int status = 0; /* lives across mxTry */
	int i;
	if (argc != 2 || !realpath(argv[1], real)) {
		fprintf(stderr, "usage: %s MODULE.js (an existing file)\n", argv[0]);
		return 2;
	}
	the = fxCreateMachine(&creation, "klingel-xs-host", NULL, XS_NO_ID);
	if (!the) {
		fprintf(stderr, "cannot create an XS machine\n");
		return 2;
	}
	fxBeginHost(the);
	{
		mxTry(the) {
			txSlot *realm = mxProgram.value.reference->next->value.module.realm;
#ifdef KLINGEL_GC_STRESS
			gxStress = 1; /* from the first allocation of the test's own work: loading, linking, running */
#endif
			defineGlobal(the, "print", host_print, 1);
			defineGlobal(the, "gc", host_gc, 0);
			defineGlobal(the, "gcStress", host_gc_stress, 1);
			defineGlobal(the, "computrons", host_computrons, 0);
			defineGlobal(the, "heapSlots", host_heap_slots, 0);
			defineGlobal(the, "heapPeakReset", host_heap_peak_reset, 0);
			defineGlobal(the, "heapPeakSlots", host_heap_peak_slots, 0);
			defineGlobal(the, "heapChunkBytes", host_heap_chunk_bytes, 0);
			mxPushStringC(real);
			fxRunImport(the, realm, XS_NO_ID);
			mxDub();
			mxGetID(mxID(_then));
			mxCall();
			fxNewHostFunction(the, onModuleDone, 1, XS_NO_ID, XS_NO_ID);
			fxNewHostFunction(the, onModuleFailed, 1, XS_NO_ID, XS_NO_ID);
			mxRunCount(2);
			mxPop();
		}
		mxCatch(the) {
			fprintf(stdout, "not ok - host: %s\n", fxToString(the, &mxException));
			status = 1;
		}
	}
	fxEndHost(the);
	while (!status && the->promiseJobsPending) {
		the->promiseJobsPending = 0;
		fxBeginHost(the);
		{
			mxTry(the) {
				fxRunPromiseJobs(the);
			}
			mxCatch(the) {
				fprintf(stdout, "not ok - promise job: %s\n", fxToString(the, &mxException));
				status = 1;
			}
		}
		fxEndHost(the);
	}
#ifdef KLINGEL_GC_STRESS
	gxStress = 0;
#endif
	if (!status && moduleStatus != 1) {
		if (moduleStatus == 0) fprintf(stdout, "not ok - module never settled (a promise left pending)\n");
		status = 1;
	}
	fxDeleteMachine(the);
	for (i = 0; i < hostModuleCount; i++) c_free(moduleBuilders[i]);
	return status;
}
