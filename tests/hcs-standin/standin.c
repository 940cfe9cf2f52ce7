/*
 * An ABI-faithful stand-in for computecore.dll (the Host Compute Service v2
 * API), for tests on machines without Windows.
 *
 * It exports the HCS functions the core binds, with the same C signatures
 * as ComputeCore.h (HRESULT return values, HCS_OPERATION / HCS_SYSTEM as
 * opaque pointer handles, PCWSTR / PWSTR as UTF-16), and it behaves the way
 * the HCS documentation describes the asynchronous model:
 *   - HcsCreateOperation returns a handle; a function that takes the
 *     operation starts it and returns at once; a service thread completes
 *     it after a delay; HcsWaitForOperationResult blocks until it is done or
 *     the timeout passes (HCS_E_OPERATION_TIMEOUT).
 *   - Result documents are UTF-16, allocated here for the caller to free
 *     with LocalFree (exported by this library, as kernel32 does on Windows).
 *   - Failures come back as HRESULTs, through the operation with a
 *     ResultError document when the tracked function failed.
 *   - Closing an operation while it is still running is allowed: the
 *     result is discarded (hcsshim relies on this).
 *   - HcsCancelOperation is not implemented and returns E_NOTIMPL, as
 *     Microsoft's HcsCancelOperation reference says of Windows: a cancelled
 *     operation keeps running to its end.
 *   - A function that fails at once may still leave a ResultError document
 *     on the operation, read with HcsGetOperationResult.
 * It also accounts for every handle and document, and counts misuse
 * (unknown or already-closed handles, double frees), so tests can prove
 * that the binding closes what it opens.
 *
 * Compute systems and faults are set up by the tests through the Standin*
 * exports, from recorded HCS documents.
 *
 * Build: cc -shared -fPIC -pthread -o libhcsstandin.so standin.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int32_t HRESULT;
typedef uint32_t DWORD;
typedef uint16_t WCHAR;
typedef const WCHAR *PCWSTR;
typedef WCHAR *PWSTR;
typedef void *HCS_OPERATION;
typedef void *HCS_SYSTEM;

#define EXPORT __attribute__((visibility("default")))

#define S_OK ((HRESULT)0)
#define E_HANDLE ((HRESULT)0x80070006u)
#define E_INVALIDARG ((HRESULT)0x80070057u)
#define E_OUTOFMEMORY ((HRESULT)0x8007000Eu)
#define E_NOTIMPL ((HRESULT)0x80004001u)
#define HRESULT_ERROR_CANCELLED ((HRESULT)0x800704C7u)
#define HCS_E_INVALID_STATE ((HRESULT)0x80370105u)
#define HCS_E_SYSTEM_NOT_FOUND_WIN32 ((HRESULT)0xC037010Eu)
#define HCS_E_SYSTEM_ALREADY_STOPPED ((HRESULT)0x80370110u)
#define HCS_E_OPERATION_NOT_STARTED ((HRESULT)0x80370115u)
#define HCS_E_OPERATION_ALREADY_STARTED ((HRESULT)0x80370116u)
#define HCS_E_OPERATION_TIMEOUT ((HRESULT)0x80370118u)
#define HCS_E_OPERATION_PENDING ((HRESULT)0x80370117u)
#define GENERIC_ALL 0x10000000u
#define INFINITE 0xFFFFFFFFu

#define OP_MAGIC 0x4F505254u
#define SYS_MAGIC 0x53595354u
#define DOC_MAGIC 0x444F4321u

/* ---- state ------------------------------------------------------------------ */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct SystemRecord {
    char *id, *system_type, *name, *owner, *runtime_id, *os_type, *state, *hosting_id, *process_list;
} SystemRecord;

#define MAX_SYSTEMS 64
static SystemRecord g_systems[MAX_SYSTEMS];
static int g_system_count;

typedef struct Operation {
    uint32_t magic;
    int started, done, closed, worker_pending;
    HRESULT hr;
    char *doc; /* UTF-8; converted to UTF-16 when handed out */
    pthread_cond_t cond;
    struct Operation *next;
} Operation;

typedef struct SystemHandle {
    uint32_t magic;
    int index;
    struct SystemHandle *next;
} SystemHandle;

static Operation *g_ops;
static SystemHandle *g_handles;
static int g_open_ops, g_open_systems, g_outstanding_docs, g_misuse, g_pending_workers, g_cancel_calls;
static uint32_t g_delay_ms = 20;
/* StandinReleaseStall ends the stall of every held HcsWaitForOperationResult before its delay. */
static int g_stall_released, g_stalls_released;
static pthread_cond_t g_stall_cond = PTHREAD_COND_INITIALIZER;

typedef struct Fault {
    char function[64];
    HRESULT hr;
    char *doc;
    uint32_t delay_ms;
    int direct;
    int set;
} Fault;
#define MAX_FAULTS 16
static Fault g_faults[MAX_FAULTS];

static char g_last_call[4096];

/* How often each string-taking function was called since the last reset. */
#define MAX_COUNTED 16
static struct { char function[64]; int32_t count; } g_calls[MAX_COUNTED];

/* ---- helpers ----------------------------------------------------------------- */

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* UTF-16 (possibly with surrogate pairs) to UTF-8; lone surrogates become U+FFFD. */
static char *utf16_to_utf8(PCWSTR s) {
    if (!s) return NULL;
    size_t n = 0;
    while (s[n]) n++;
    char *out = malloc(n * 3 + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = s[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
            i++;
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }
        if (c < 0x80) out[o++] = (char)c;
        else if (c < 0x800) { out[o++] = (char)(0xC0 | (c >> 6)); out[o++] = (char)(0x80 | (c & 0x3F)); }
        else if (c < 0x10000) { out[o++] = (char)(0xE0 | (c >> 12)); out[o++] = (char)(0x80 | ((c >> 6) & 0x3F)); out[o++] = (char)(0x80 | (c & 0x3F)); }
        else { out[o++] = (char)(0xF0 | (c >> 18)); out[o++] = (char)(0x80 | ((c >> 12) & 0x3F)); out[o++] = (char)(0x80 | ((c >> 6) & 0x3F)); out[o++] = (char)(0x80 | (c & 0x3F)); }
    }
    out[o] = 0;
    return out;
}

/* A UTF-16 copy of a UTF-8 document, allocated for the caller's LocalFree. */
static PWSTR alloc_utf16_document(const char *s) {
    size_t n = strlen(s);
    /* header keeps a magic so LocalFree can spot foreign or double frees */
    uint32_t *block = malloc(16 + (n + 1) * sizeof(WCHAR));
    if (!block) return NULL;
    block[0] = DOC_MAGIC;
    WCHAR *out = (WCHAR *)((char *)block + 16);
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t c;
        if (p[0] < 0x80) { c = p[0]; p += 1; }
        else if ((p[0] & 0xE0) == 0xC0 && p[1]) { c = ((p[0] & 0x1F) << 6) | (p[1] & 0x3F); p += 2; }
        else if ((p[0] & 0xF0) == 0xE0 && p[1] && p[2]) { c = ((p[0] & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F); p += 3; }
        else if ((p[0] & 0xF8) == 0xF0 && p[1] && p[2] && p[3]) { c = ((p[0] & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F); p += 4; }
        else { c = 0xFFFD; p += 1; }
        if (c >= 0x10000) {
            c -= 0x10000;
            out[o++] = (WCHAR)(0xD800 + (c >> 10));
            out[o++] = (WCHAR)(0xDC00 + (c & 0x3FF));
        } else {
            out[o++] = (WCHAR)c;
        }
    }
    out[o] = 0;
    g_outstanding_docs++;
    return out;
}

/* Appends to a growing UTF-8 buffer. */
typedef struct Buf { char *p; size_t len, cap; } Buf;
static void buf_add(Buf *b, const char *s) {
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1) cap *= 2;
        b->p = realloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}
static void buf_add_json_string(Buf *b, const char *s) {
    buf_add(b, "\"");
    char tmp[8];
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"') buf_add(b, "\\\"");
        else if (*p == '\\') buf_add(b, "\\\\");
        else if (*p < 0x20) { snprintf(tmp, sizeof tmp, "\\u%04x", *p); buf_add(b, tmp); }
        else { tmp[0] = (char)*p; tmp[1] = 0; buf_add(b, tmp); }
    }
    buf_add(b, "\"");
}
static void buf_add_field(Buf *b, int *first, const char *key, const char *value) {
    if (!value) return; /* omitempty, as HCS marshals */
    if (!*first) buf_add(b, ",");
    *first = 0;
    buf_add_json_string(b, key);
    buf_add(b, ":");
    buf_add_json_string(b, value);
}

static void summary_fields(Buf *b, const SystemRecord *r, int *first) {
    buf_add_field(b, first, "Id", r->id);
    buf_add_field(b, first, "SystemType", r->system_type);
    buf_add_field(b, first, "Name", r->name);
    buf_add_field(b, first, "Owner", r->owner);
    buf_add_field(b, first, "RuntimeId", r->runtime_id);
    buf_add_field(b, first, "RuntimeOsType", r->os_type);
    buf_add_field(b, first, "State", r->state);
    buf_add_field(b, first, "HostingSystemId", r->hosting_id);
}

static char *summary_document(const SystemRecord *r, int with_processes) {
    Buf b = {0};
    int first = 1;
    buf_add(&b, "{");
    summary_fields(&b, r, &first);
    if (with_processes) {
        buf_add(&b, first ? "" : ",");
        buf_add(&b, "\"ProcessList\":");
        buf_add(&b, r->process_list ? r->process_list : "[]");
    }
    buf_add(&b, "}");
    return b.p;
}

static char *error_document(HRESULT hr, const char *message) {
    Buf b = {0};
    char num[32];
    snprintf(num, sizeof num, "%d", (int)hr);
    buf_add(&b, "{\"Error\":");
    buf_add(&b, num);
    buf_add(&b, ",\"ErrorMessage\":");
    buf_add_json_string(&b, message);
    buf_add(&b, "}");
    return b.p;
}

static Operation *find_op(HCS_OPERATION h) {
    for (Operation *o = g_ops; o; o = o->next)
        if ((void *)o == h && o->magic == OP_MAGIC) return o;
    return NULL;
}
static SystemHandle *find_handle(HCS_SYSTEM h) {
    for (SystemHandle *s = g_handles; s; s = s->next)
        if ((void *)s == h && s->magic == SYS_MAGIC) return s;
    return NULL;
}
static Fault *find_fault(const char *function) {
    for (int i = 0; i < MAX_FAULTS; i++)
        if (g_faults[i].set && strcmp(g_faults[i].function, function) == 0) return &g_faults[i];
    return NULL;
}
static void record_call(const char *function, PCWSTR argument) {
    for (int i = 0; i < MAX_COUNTED; i++) {
        if (g_calls[i].function[0] == 0) snprintf(g_calls[i].function, sizeof g_calls[i].function, "%s", function);
        if (strcmp(g_calls[i].function, function) == 0) { g_calls[i].count++; break; }
    }
    char *utf8 = utf16_to_utf8(argument);
    snprintf(g_last_call, sizeof g_last_call, "%s\n%s", function, utf8 ? utf8 : "(null)");
    free(utf8);
}

/* ---- asynchronous completion ----------------------------------------------------- */

/*
 * One long-lived worker thread completes operations when they fall due, as
 * the service would. It is joined when the library is unloaded, so no thread
 * is ever left running inside code that dlclose() unmaps.
 */
typedef struct Job {
    Operation *op;
    struct timespec due;
    HRESULT hr;
    char *doc;
    int system_index; /* -1: no state change */
    const char *new_state;
    struct Job *next;
} Job;

static Job *g_jobs;
static pthread_t g_worker;
static int g_worker_started, g_shutdown;
static pthread_cond_t g_jobs_cond = PTHREAD_COND_INITIALIZER;

static void free_op(Operation *o) {
    pthread_cond_destroy(&o->cond);
    free(o->doc);
    o->magic = 0;
    free(o);
}

static int due_before(const struct timespec *a, const struct timespec *b) {
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec <= b->tv_nsec);
}

/* Completes one job; the lock is held. */
static void complete_job(Job *job) {
    Operation *o = job->op;
    if (!o->done) { /* not cancelled meanwhile */
        o->hr = job->hr;
        o->doc = job->doc;
        job->doc = NULL;
        o->done = 1;
        if (job->system_index >= 0 && job->system_index < g_system_count && job->hr >= 0) {
            SystemRecord *r = &g_systems[job->system_index];
            free(r->state);
            r->state = strdup(job->new_state);
        }
    }
    o->worker_pending = 0;
    g_pending_workers--;
    pthread_cond_broadcast(&o->cond);
    if (o->closed) free_op(o); /* closed while running: the result is discarded */
    free(job->doc);
    free(job);
}

static void *worker_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&g_lock);
    while (!g_shutdown) {
        if (!g_jobs) { pthread_cond_wait(&g_jobs_cond, &g_lock); continue; }
        Job **earliest = &g_jobs;
        for (Job **p = &g_jobs; *p; p = &(*p)->next)
            if (!due_before(&(*earliest)->due, &(*p)->due)) earliest = p;
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        if (due_before(&(*earliest)->due, &now)) {
            Job *job = *earliest;
            *earliest = job->next;
            complete_job(job);
        } else {
            pthread_cond_timedwait(&g_jobs_cond, &g_lock, &(*earliest)->due);
        }
    }
    pthread_mutex_unlock(&g_lock);
    return NULL;
}

__attribute__((destructor)) static void stop_worker(void) {
    pthread_mutex_lock(&g_lock);
    int started = g_worker_started;
    g_shutdown = 1;
    pthread_cond_broadcast(&g_jobs_cond);
    pthread_mutex_unlock(&g_lock);
    if (started) pthread_join(g_worker, NULL);
}

/* Starts `o`; the lock is held. Takes ownership of doc. */
static HRESULT start_operation(Operation *o, const char *function, HRESULT hr, char *doc, int system_index, const char *new_state) {
    if (o->started) { free(doc); return HCS_E_OPERATION_ALREADY_STARTED; }
    Fault *f = find_fault(function);
    uint32_t delay = g_delay_ms;
    if (f) {
        if (f->direct) {
            /* Failed at once; like HCS, the operation still carries the error document. */
            free(doc);
            o->started = 1;
            o->done = 1;
            o->hr = f->hr;
            free(o->doc);
            o->doc = dup_or_null(f->doc);
            return f->hr;
        }
        free(doc);
        doc = dup_or_null(f->doc);
        hr = f->hr;
        delay = f->delay_ms;
        system_index = -1;
    }
    if (!g_worker_started) {
        if (pthread_create(&g_worker, NULL, worker_main, NULL) != 0) { free(doc); return E_OUTOFMEMORY; }
        g_worker_started = 1;
    }
    Job *job = calloc(1, sizeof *job);
    if (!job) { free(doc); return E_OUTOFMEMORY; }
    job->op = o;
    clock_gettime(CLOCK_REALTIME, &job->due);
    job->due.tv_sec += delay / 1000;
    job->due.tv_nsec += (long)(delay % 1000) * 1000000L;
    if (job->due.tv_nsec >= 1000000000L) { job->due.tv_sec++; job->due.tv_nsec -= 1000000000L; }
    job->hr = hr;
    job->doc = doc;
    job->system_index = system_index;
    job->new_state = new_state;
    job->next = g_jobs;
    g_jobs = job;
    o->started = 1;
    o->worker_pending = 1;
    g_pending_workers++;
    pthread_cond_broadcast(&g_jobs_cond);
    return S_OK;
}

/* ---- the HCS API ------------------------------------------------------------------ */

EXPORT HCS_OPERATION HcsCreateOperation(void *context, void *callback) {
    (void)context;
    (void)callback; /* completion callbacks are not simulated; the core waits instead */
    pthread_mutex_lock(&g_lock);
    int refuse = find_fault("HcsCreateOperation") != NULL; /* out of memory / service gone: no handle */
    pthread_mutex_unlock(&g_lock);
    if (refuse) return NULL;
    Operation *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    o->magic = OP_MAGIC;
    pthread_cond_init(&o->cond, NULL);
    pthread_mutex_lock(&g_lock);
    o->next = g_ops;
    g_ops = o;
    g_open_ops++;
    pthread_mutex_unlock(&g_lock);
    return o;
}

EXPORT void HcsCloseOperation(HCS_OPERATION operation) {
    pthread_mutex_lock(&g_lock);
    Operation *o = find_op(operation);
    if (!o) { g_misuse++; pthread_mutex_unlock(&g_lock); return; }
    for (Operation **p = &g_ops; *p; p = &(*p)->next)
        if (*p == o) { *p = o->next; break; }
    g_open_ops--;
    o->closed = 1;
    if (!o->worker_pending) free_op(o);
    pthread_mutex_unlock(&g_lock);
}

EXPORT HRESULT HcsCancelOperation(HCS_OPERATION operation) {
    /* "This function is not currently implemented and will always return an
     * E_NOTIMPL HRESULT value" (Microsoft, HcsCancelOperation). The operation
     * goes on; only a handle that was never ours is counted as misuse. */
    pthread_mutex_lock(&g_lock);
    if (!find_op(operation)) g_misuse++;
    g_cancel_calls++;
    pthread_mutex_unlock(&g_lock);
    return E_NOTIMPL;
}

/* The operation's result so far: HCS_E_OPERATION_PENDING while it runs, its HRESULT and document once done. */
EXPORT HRESULT HcsGetOperationResult(HCS_OPERATION operation, PWSTR *resultDocument) {
    if (resultDocument) *resultDocument = NULL;
    pthread_mutex_lock(&g_lock);
    Operation *o = find_op(operation);
    if (!o) { g_misuse++; pthread_mutex_unlock(&g_lock); return E_HANDLE; }
    HRESULT hr;
    if (!o->started) hr = HCS_E_OPERATION_NOT_STARTED;
    else if (!o->done) hr = HCS_E_OPERATION_PENDING;
    else {
        hr = o->hr;
        if (resultDocument && o->doc) *resultDocument = alloc_utf16_document(o->doc);
    }
    pthread_mutex_unlock(&g_lock);
    return hr;
}

EXPORT HRESULT HcsWaitForOperationResult(HCS_OPERATION operation, DWORD timeoutMs, PWSTR *resultDocument) {
    if (resultDocument) *resultDocument = NULL;
    /* Fault "HcsWaitForOperationResult": a service that holds the caller for delayMs whatever
       the timeout, or until the test releases it (StandinReleaseStall), whichever comes first. */
    pthread_mutex_lock(&g_lock);
    Fault *stall = find_fault("HcsWaitForOperationResult");
    uint32_t stall_ms = stall ? stall->delay_ms : 0;
    if (stall_ms) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += stall_ms / 1000;
        until.tv_nsec += (long)(stall_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
        int rc = 0;
        while (!g_stall_released && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&g_stall_cond, &g_lock, &until);
        if (g_stall_released) g_stalls_released++;
    }
    pthread_mutex_unlock(&g_lock);
    pthread_mutex_lock(&g_lock);
    Operation *o = find_op(operation);
    if (!o) { g_misuse++; pthread_mutex_unlock(&g_lock); return E_HANDLE; }
    if (!o->started) { pthread_mutex_unlock(&g_lock); return HCS_E_OPERATION_NOT_STARTED; }
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    if (timeoutMs != INFINITE) {
        deadline.tv_sec += timeoutMs / 1000;
        deadline.tv_nsec += (long)(timeoutMs % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) { deadline.tv_sec++; deadline.tv_nsec -= 1000000000L; }
    }
    while (!o->done) {
        int rc = timeoutMs == INFINITE ? pthread_cond_wait(&o->cond, &g_lock) : pthread_cond_timedwait(&o->cond, &g_lock, &deadline);
        if (rc == ETIMEDOUT && !o->done) { pthread_mutex_unlock(&g_lock); return HCS_E_OPERATION_TIMEOUT; }
    }
    HRESULT hr = o->hr;
    if (resultDocument && o->doc) *resultDocument = alloc_utf16_document(o->doc);
    pthread_mutex_unlock(&g_lock);
    return hr;
}

EXPORT HRESULT HcsEnumerateComputeSystems(PCWSTR query, HCS_OPERATION operation) {
    pthread_mutex_lock(&g_lock);
    record_call("HcsEnumerateComputeSystems", query);
    Operation *o = find_op(operation);
    if (!o) { g_misuse++; pthread_mutex_unlock(&g_lock); return E_HANDLE; }
    Buf b = {0};
    buf_add(&b, "[");
    for (int i = 0; i < g_system_count; i++) {
        char *one = summary_document(&g_systems[i], 0);
        if (i) buf_add(&b, ",");
        buf_add(&b, one);
        free(one);
    }
    buf_add(&b, "]");
    HRESULT hr = start_operation(o, "HcsEnumerateComputeSystems", S_OK, b.p, -1, NULL);
    pthread_mutex_unlock(&g_lock);
    return hr;
}

EXPORT HRESULT HcsOpenComputeSystem(PCWSTR id, DWORD requestedAccess, HCS_SYSTEM *computeSystem) {
    if (!computeSystem || !id) return E_INVALIDARG;
    *computeSystem = NULL;
    if (requestedAccess != GENERIC_ALL) return E_INVALIDARG; /* "Reserved for future use, must be GENERIC_ALL" */
    pthread_mutex_lock(&g_lock);
    record_call("HcsOpenComputeSystem", id);
    Fault *f = find_fault("HcsOpenComputeSystem");
    if (f) { HRESULT hr = f->hr; pthread_mutex_unlock(&g_lock); return hr; }
    char *utf8 = utf16_to_utf8(id);
    int index = -1;
    for (int i = 0; i < g_system_count; i++)
        if (utf8 && strcmp(g_systems[i].id, utf8) == 0) { index = i; break; }
    free(utf8);
    if (index < 0) { pthread_mutex_unlock(&g_lock); return HCS_E_SYSTEM_NOT_FOUND_WIN32; }
    SystemHandle *s = calloc(1, sizeof *s);
    if (!s) { pthread_mutex_unlock(&g_lock); return E_OUTOFMEMORY; }
    s->magic = SYS_MAGIC;
    s->index = index;
    s->next = g_handles;
    g_handles = s;
    g_open_systems++;
    *computeSystem = s;
    pthread_mutex_unlock(&g_lock);
    return S_OK;
}

EXPORT void HcsCloseComputeSystem(HCS_SYSTEM computeSystem) {
    pthread_mutex_lock(&g_lock);
    SystemHandle *s = find_handle(computeSystem);
    if (!s) { g_misuse++; pthread_mutex_unlock(&g_lock); return; }
    for (SystemHandle **p = &g_handles; *p; p = &(*p)->next)
        if (*p == s) { *p = s->next; break; }
    g_open_systems--;
    s->magic = 0;
    free(s);
    pthread_mutex_unlock(&g_lock);
}

EXPORT HRESULT HcsGetComputeSystemProperties(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR propertyQuery) {
    pthread_mutex_lock(&g_lock);
    record_call("HcsGetComputeSystemProperties", propertyQuery);
    SystemHandle *s = find_handle(computeSystem);
    Operation *o = find_op(operation);
    if (!s || !o) { g_misuse++; pthread_mutex_unlock(&g_lock); return E_HANDLE; }
    char *query = utf16_to_utf8(propertyQuery);
    int with_processes = query && strstr(query, "\"ProcessList\"") != NULL;
    free(query);
    char *doc = summary_document(&g_systems[s->index], with_processes);
    HRESULT hr = start_operation(o, "HcsGetComputeSystemProperties", S_OK, doc, -1, NULL);
    pthread_mutex_unlock(&g_lock);
    return hr;
}

static HRESULT change_state(const char *function, HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options, int starting) {
    pthread_mutex_lock(&g_lock);
    record_call(function, options);
    SystemHandle *s = find_handle(computeSystem);
    Operation *o = find_op(operation);
    if (!s || !o) { g_misuse++; pthread_mutex_unlock(&g_lock); return E_HANDLE; }
    SystemRecord *r = &g_systems[s->index];
    int running = r->state && strcmp(r->state, "Running") == 0;
    HRESULT hr;
    if (starting && running) {
        hr = start_operation(o, function, HCS_E_INVALID_STATE,
                             error_document(HCS_E_INVALID_STATE, "The requested virtual machine or container operation is not valid in the current state."), -1, NULL);
    } else if (!starting && !running) {
        hr = start_operation(o, function, HCS_E_SYSTEM_ALREADY_STOPPED,
                             error_document(HCS_E_SYSTEM_ALREADY_STOPPED, "The virtual machine or container with the specified identifier is not running."), -1, NULL);
    } else {
        hr = start_operation(o, function, S_OK, NULL, s->index, starting ? "Running" : "Stopped");
    }
    pthread_mutex_unlock(&g_lock);
    return hr;
}

EXPORT HRESULT HcsStartComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options) {
    return change_state("HcsStartComputeSystem", computeSystem, operation, options, 1);
}
EXPORT HRESULT HcsShutDownComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options) {
    return change_state("HcsShutDownComputeSystem", computeSystem, operation, options, 0);
}
EXPORT HRESULT HcsTerminateComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options) {
    return change_state("HcsTerminateComputeSystem", computeSystem, operation, options, 0);
}

/* kernel32!LocalFree: returns NULL on success, the handle itself on failure. */
EXPORT void *LocalFree(void *memory) {
    if (!memory) return NULL;
    uint32_t *block = (uint32_t *)((char *)memory - 16);
    pthread_mutex_lock(&g_lock);
    if (block[0] != DOC_MAGIC) { g_misuse++; pthread_mutex_unlock(&g_lock); return memory; }
    block[0] = 0;
    g_outstanding_docs--;
    pthread_mutex_unlock(&g_lock);
    free(block);
    return NULL;
}

/* ---- test control ------------------------------------------------------------------- */

static void clear_faults(void) {
    for (int i = 0; i < MAX_FAULTS; i++) {
        free(g_faults[i].doc);
        memset(&g_faults[i], 0, sizeof g_faults[i]);
    }
}

/* Forgets systems and faults; handle counters stay, so leaks stay visible. */
EXPORT void StandinReset(void) {
    pthread_mutex_lock(&g_lock);
    for (int i = 0; i < g_system_count; i++) {
        SystemRecord *r = &g_systems[i];
        free(r->id); free(r->system_type); free(r->name); free(r->owner); free(r->runtime_id);
        free(r->os_type); free(r->state); free(r->hosting_id); free(r->process_list);
        memset(r, 0, sizeof *r);
    }
    g_system_count = 0;
    clear_faults();
    g_delay_ms = 20;
    g_cancel_calls = 0;
    g_stall_released = 0;
    g_stalls_released = 0;
    g_last_call[0] = 0;
    memset(g_calls, 0, sizeof g_calls);
    pthread_mutex_unlock(&g_lock);
}

/* Calls of `function` (one that takes a string argument) since the last reset. */
EXPORT int32_t StandinCallCount(const char *function) {
    int32_t n = 0;
    pthread_mutex_lock(&g_lock);
    for (int i = 0; i < MAX_COUNTED; i++)
        if (function && strcmp(g_calls[i].function, function) == 0) n = g_calls[i].count;
    pthread_mutex_unlock(&g_lock);
    return n;
}

/* Adds a compute system; strings are UTF-8, NULL leaves a field out; processListJson is a JSON array of ProcessDetails. */
EXPORT int32_t StandinAddSystem(const char *id, const char *systemType, const char *name, const char *owner, const char *runtimeId,
                                const char *osType, const char *state, const char *hostingSystemId, const char *processListJson) {
    if (!id || !systemType) return -1;
    pthread_mutex_lock(&g_lock);
    if (g_system_count >= MAX_SYSTEMS) { pthread_mutex_unlock(&g_lock); return -1; }
    SystemRecord *r = &g_systems[g_system_count++];
    r->id = strdup(id);
    r->system_type = strdup(systemType);
    r->name = dup_or_null(name);
    r->owner = dup_or_null(owner);
    r->runtime_id = dup_or_null(runtimeId);
    r->os_type = dup_or_null(osType);
    r->state = dup_or_null(state);
    r->hosting_id = dup_or_null(hostingSystemId);
    r->process_list = dup_or_null(processListJson);
    pthread_mutex_unlock(&g_lock);
    return 0;
}

/*
 * Makes `function` fail or misbehave until reset: direct != 0 returns hr
 * from the call itself; otherwise the operation completes after delayMs
 * with hr and resultDocument (UTF-8, may be NULL or malformed on purpose).
 */
EXPORT int32_t StandinSetFault(const char *function, int32_t hr, const char *resultDocument, uint32_t delayMs, int32_t direct) {
    if (!function || strlen(function) >= sizeof g_faults[0].function) return -1;
    pthread_mutex_lock(&g_lock);
    Fault *f = find_fault(function);
    for (int i = 0; !f && i < MAX_FAULTS; i++)
        if (!g_faults[i].set) f = &g_faults[i];
    if (!f) { pthread_mutex_unlock(&g_lock); return -1; }
    free(f->doc);
    strcpy(f->function, function);
    f->hr = hr;
    f->doc = dup_or_null(resultDocument);
    f->delay_ms = delayMs;
    f->direct = direct;
    f->set = 1;
    pthread_mutex_unlock(&g_lock);
    return 0;
}

typedef struct StateChange {
    char *id, *state;
    uint32_t delay_ms;
} StateChange;

static void *state_change_main(void *arg) {
    StateChange *c = arg;
    struct timespec ts = { c->delay_ms / 1000, (long)(c->delay_ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
    pthread_mutex_lock(&g_lock);
    for (int i = 0; i < g_system_count; i++)
        if (strcmp(g_systems[i].id, c->id) == 0) { free(g_systems[i].state); g_systems[i].state = strdup(c->state); }
    pthread_mutex_unlock(&g_lock);
    free(c->id); free(c->state); free(c);
    return NULL;
}

/* After delayMs, the system `id` is in `state` (a shutdown that HCS finishes on its own, after answering "pending"). */
EXPORT int32_t StandinScheduleState(const char *id, const char *state, uint32_t delayMs) {
    if (!id || !state) return -1;
    StateChange *c = calloc(1, sizeof *c);
    if (!c) return -1;
    c->id = strdup(id);
    c->state = strdup(state);
    c->delay_ms = delayMs;
    pthread_t t;
    if (pthread_create(&t, NULL, state_change_main, c) != 0) { free(c->id); free(c->state); free(c); return -1; }
    pthread_detach(t);
    return 0;
}

/* Lets every caller held by a STALL_UNTIL_RELEASED fault go on (until the next reset). */
EXPORT void StandinReleaseStall(void) {
    pthread_mutex_lock(&g_lock);
    g_stall_released = 1;
    pthread_cond_broadcast(&g_stall_cond);
    pthread_mutex_unlock(&g_lock);
}

EXPORT void StandinSetDelay(uint32_t delayMs) {
    pthread_mutex_lock(&g_lock);
    g_delay_ms = delayMs;
    pthread_mutex_unlock(&g_lock);
}

static int32_t read_counter(const int *counter) {
    pthread_mutex_lock(&g_lock);
    int32_t v = *counter;
    pthread_mutex_unlock(&g_lock);
    return v;
}
EXPORT int32_t StandinOpenOperations(void) { return read_counter(&g_open_ops); }
EXPORT int32_t StandinOpenSystems(void) { return read_counter(&g_open_systems); }
EXPORT int32_t StandinOutstandingDocuments(void) { return read_counter(&g_outstanding_docs); }
EXPORT int32_t StandinMisuseCount(void) { return read_counter(&g_misuse); }
EXPORT int32_t StandinPendingWorkers(void) { return read_counter(&g_pending_workers); }
EXPORT int32_t StandinCancelCalls(void) { return read_counter(&g_cancel_calls); }
/* Stalls ended by StandinReleaseStall (not by their delay) since the last reset. */
EXPORT int32_t StandinStallsReleased(void) { return read_counter(&g_stalls_released); }
EXPORT int32_t StandinOpenHandleCount(void) {
    pthread_mutex_lock(&g_lock);
    int32_t v = g_open_ops + g_open_systems;
    pthread_mutex_unlock(&g_lock);
    return v;
}

/* The last string argument received, as "Function\n<UTF-8 text>", copied into buf. */
EXPORT int32_t StandinLastCall(char *buf, int32_t capacity) {
    if (!buf || capacity <= 0) return -1;
    pthread_mutex_lock(&g_lock);
    snprintf(buf, (size_t)capacity, "%s", g_last_call);
    int32_t n = (int32_t)strlen(buf);
    pthread_mutex_unlock(&g_lock);
    return n;
}
