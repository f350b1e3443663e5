/*
 * reader.c - bytes -> lines, for files, standard input and compressed
 * input.
 *
 * Bytes come from read(2) on the file descriptor. The first bytes decide
 * the kind: a compressor's magic (gzip 1f 8b, bzip2 "BZh", xz fd "7zXZ",
 * zstd 28 b5 2f fd, lz4 04 22 4d 18) means that compressor, anything else
 * is plain text, so rotated `mail.log.2.gz`, `.bz2`, `.xz`, `.zst` files
 * are recognised by content, not by name. Plain bytes go straight into the
 * line buffer with read(2), nothing in between; compressed bytes go
 * through the compressor's own library (zlib or ISA-L, libbz2, liblzma,
 * libzstd, liblz4) into it, one small table of codecs behind one loop. A
 * line is returned as soon as its newline has arrived, so a pipe (`tail -f |
 * mxtriage events`) gets each line when it is written, not when a buffer
 * has filled.
 *
 * Why the compressors' own streaming calls (inflate(), BZ2_bzDecompress,
 * lzma_code, ZSTD_decompressStream, LZ4F_decompress) and not zlib's
 * gzread() or libarchive's raw format: on damage (a bad check trailer, a
 * truncated file, corrupt data) we want every line decompressed before it
 * (as zcat writes them), then an error that names the last good line and
 * the byte offset of the damage in the file; gzread() loses the bytes of
 * the failing call, and libarchive neither checks gzip's CRC nor says
 * where in the file it stopped. Concatenated members or frames (`cat a.gz
 * b.gz`, pbzip2's streams, zstd and lz4 frames) are followed; after the
 * last one, zero padding is ignored and other bytes are reported.
 *
 * Lines are cut out of one fixed buffer (no allocation per line); a line
 * longer than MXT_LINE_MAX is returned cut at that length and the rest of
 * it is skipped, so memory stays bounded whatever the input holds.
 *
 * Read-ahead (mxt_reader_set_ahead): a compressed regular file may be
 * decompressed on a thread of its own, a few blocks ahead of the lines
 * being read, when a core would otherwise idle (one compressed input
 * under --jobs). That thread runs the same decoder loop on an inner
 * reader that reads the descriptor (still the outer reader's to close)
 * and owns the compressed bytes and the decoder;
 * the outer reader takes its text block by block, and the damage the
 * inner one met arrives with the last block, after every byte before it,
 * so lines, line numbers, offsets and errors are those of reading in
 * line.
 */
#include "journal.h"

#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <lzma.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef MXT_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#else
#include <zlib.h>
#endif
#include <zstd.h>

#define READ_CHUNK (256 * 1024)
/* A pipe's capacity asked for (F_SETPIPE_SZ): Linux's default of 64 KiB
 * makes the writer (cat, zcat, ssh) and the reader take turns every 64
 * KiB, 16,000 wakes of each a gigabyte; 1 MiB is what an unprivileged
 * process may set by default (/proc/sys/fs/pipe-max-size). */
#define PIPE_CAPACITY (1024 * 1024)
#define BUF_SIZE (MXT_LINE_MAX + READ_CHUNK)
/* the longest magic of a codec, read before deciding the kind */
#define MAGIC_MAX 6
/* Read-ahead: blocks of text decompressed ahead of the lines read. */
#define AHEAD_BLOCKS 4
#define AHEAD_BLOCK READ_CHUNK

enum step { STEP_OK, STEP_END, STEP_ERROR };

struct mxt_reader;

/* A block of decompressed text (read-ahead); the last one also carries
 * how the input ended. */
struct ahead_block {
	char *text;        /* AHEAD_BLOCK */
	size_t len, taken; /* text made; taken by the lines so far */
	bool last;
	bool failed;       /* the inner reader's damage, as fail() keeps it */
	char fail_text[160];
	long long fail_offset;
};

/* Read-ahead: a ring of blocks between the decoding thread (fills) and
 * the reader (empties). */
struct ahead {
	struct mxt_reader *inner;  /* the decoder's reader; reads fd */
	struct ahead_block blocks[AHEAD_BLOCKS];
	size_t filled, emptied;    /* blocks made and blocks given back */
	bool stop;                 /* closed before the end */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t to_decoder, to_reader;
};

/*
 * One compressed format. step() decompresses from in[0..in_len) into
 * out[0..room), tells how much it used and made, and returns STEP_END at
 * the end of a member (frame, stream), STEP_ERROR with *why on damage.
 * reset() readies the decoder for the next member; begins() says whether
 * bytes start one (its magic).
 */
struct codec {
	const char *name;
	/* Input bytes given to one step, 0 = all there are. libzstd and
	 * liblz4 report nothing of a failing call (neither what it used nor
	 * what it made): small steps keep what earlier ones made, so the
	 * lines before the damage still arrive and its offset is close. */
	size_t step_max;
	bool (*begins)(const unsigned char *p, size_t n);
	bool (*init)(struct mxt_reader *r);
	enum step (*step)(struct mxt_reader *r, const unsigned char *in,
	    size_t in_len, size_t *used, char *out, size_t room, size_t *made,
	    const char **why);
	bool (*reset)(struct mxt_reader *r);
	void (*end)(struct mxt_reader *r);
};

struct mxt_reader {
	int fd;
	char name[256];
	time_t mtime;
	const struct codec *codec; /* NULL: plain (or not known yet) */
	bool probed;
	bool eof;      /* no more bytes will reach buf */
	bool skipping; /* inside the rest of an over-long line */
	long line_no;
	long long text_total; /* bytes of text put into buf so far (from
			       * the offset mxt_reader_seek started at) */
	/* Live input (mxt_reader_set_live): the end of the file is "no more
	 * for now"; dry says the last read(2) found it. */
	bool live, dry;
	bool aborted;  /* the wait hook ended the input */
	bool regular;  /* a regular file: read(2) never waits */
	/* Called before a read(2) that may wait (mxt_reader_set_wait). */
	int (*wait)(void *arg, int fd);
	void *wait_arg;
	char *buf; /* BUF_SIZE + 1, room for a terminating NUL */
	size_t start, end;

	/* compressed: bytes read from the file, in[in_pos..in_len) unused */
	unsigned char *in; /* READ_CHUNK */
	size_t in_pos, in_len;
	bool ready;        /* the decoder was made */
	bool member_done;  /* between members */
	bool in_eof;       /* read(2) said end of file */
	long long in_total; /* bytes read from the file so far */
	union {
#ifdef MXT_HAVE_ISAL
		struct inflate_state *isal;
#else
		z_stream zs;
#endif
		bz_stream bz;
		lzma_stream xz;
		ZSTD_DStream *zstd;
		LZ4F_dctx *lz4;
	} dec;
#ifdef MXT_HAVE_ISAL
	unsigned char gz_tail[8]; /* the last bytes ISA-L took (gz_why) */
	size_t gz_tail_len;
	int gz_failed; /* its error, told once gz_drain has handed out all */
#endif

	/* journald: an entry of a `journalctl -o export` stream being
	 * collected (from raw line export_line on), the line an entry
	 * became, the journal itself (--journal) */
	struct mxt_jentry *jentry; /* made at the first journal line */
	bool in_export;
	long export_line;
	char *jline; /* MXT_LINE_MAX + 1024 */
	long out_line_no; /* of the line returned: its entry's first line */
	struct mxt_sdj *sdj;

	/* Damage found after some bytes were decompressed: the lines before
	 * it are returned first, then this error. */
	bool failed;
	char fail_text[160];
	long long fail_offset;
	/* a codec's damage this many bytes before where its step stopped */
	long long fail_back;

	bool want_ahead;      /* mxt_reader_set_ahead */
	struct ahead *ahead;  /* decompressing on a thread of its own */
};

/* ---- the codecs ---------------------------------------------------------- */

static bool
gz_begins(const unsigned char *p, size_t n)
{
	return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

#ifdef MXT_HAVE_ISAL
/*
 * gzip through ISA-L's inflate (libisal, Intel's storage library, in
 * Debian as libisal-dev): the same streaming calls as zlib's at about
 * 2.5 times its speed (the 1 GB bench logs, 256 KiB of text a call:
 * 0.71-0.76 s against 1.82-2.17 s), and the rotated .gz logs of a month
 * are most of what an admin reads. It reads the gzip header and checks
 * the trailer (ISAL_GZIP); a member's end is its block state
 * ISAL_BLOCK_FINISH. Its one error for the trailer is told apart as
 * zlib's two, from the trailer's bytes (the last eight it took) against
 * the CRC it computed, and a bad CRC is placed where zlib places it.
 * Two differences remain (mxtriage(1)): it takes more damaged data for
 * data than zlib, which the CRC then catches at the member's end, and of
 * a stream cut short it leaves the last symbol or two undecoded.
 */
static bool
gz_init(struct mxt_reader *r)
{
	/* zeroed: on some damaged data ISA-L gives text from its buffer
	 * where nothing was decoded yet (valgrind: unset bytes in the
	 * lines of a fuzzer's finding; tests/valgrind.py) */
	r->dec.isal = xcalloc(1, sizeof *r->dec.isal);
	isal_inflate_init(r->dec.isal);
	r->dec.isal->crc_flag = ISAL_GZIP;
	r->gz_tail_len = 0;
	r->gz_failed = 0;
	return true;
}

/* The last eight bytes the decoder took, for the trailer's check. */
static void
gz_keep_tail(struct mxt_reader *r, const unsigned char *in, size_t used)
{
	size_t keep = used < 8 ? used : 8;
	size_t old = r->gz_tail_len + keep > 8 ? 8 - keep : r->gz_tail_len;
	memmove(r->gz_tail, r->gz_tail + r->gz_tail_len - old, old);
	memcpy(r->gz_tail + old, in + used - keep, keep);
	r->gz_tail_len = old + keep;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* The trailer's CRC is not that of the text (its length may be wrong
 * too); when it is, the length is what failed. */
static bool
gz_crc_failed(const struct mxt_reader *r)
{
	return !(r->gz_tail_len == 8 && le32(r->gz_tail) == r->dec.isal->crc);
}

static const char *
gz_why(struct mxt_reader *r, int rc)
{
	const struct inflate_state *z = r->dec.isal;
	switch (rc) {
	case ISAL_INVALID_BLOCK:
		return "invalid block";
	case ISAL_INVALID_SYMBOL:
		return "invalid code";
	case ISAL_INVALID_LOOKBACK:
		return "invalid distance too far back";
	case ISAL_INVALID_WRAPPER:
		return "incorrect header check";
	case ISAL_UNSUPPORTED_METHOD:
		return "unknown compression method";
	case ISAL_NEED_DICT:
		return "a preset dictionary is needed";
	case ISAL_INCORRECT_CHECKSUM:
		if (z->block_state != ISAL_BLOCK_FINISH)
			return "header crc mismatch";
		return gz_crc_failed(r) ? "incorrect data check" :
		    "incorrect length check";
	}
	return "invalid data";
}

/*
 * Text ISA-L decoded into its own buffer before the damage and did not
 * hand out: on an invalid block, code or distance it copies what room
 * allows and returns the error (igzip_inflate.c, isal_inflate), so with
 * less room than it decoded, the rest would be lost and the lines before
 * the damage would depend on the room. The reader's room is mostly 256
 * KiB and that buffer's new text at most about 32 KiB, so this is rare:
 * reader_test's bad block at 690 places never needed it.
 */
static size_t
gz_drain(struct inflate_state *z, char *out, size_t room)
{
	size_t left = (size_t)(z->tmp_out_valid - z->tmp_out_processed);
	size_t n = left < room ? left : room;
	memcpy(out, z->tmp_out_buffer + z->tmp_out_processed, n);
	z->tmp_out_processed += (int32_t)n;
	return n;
}

static enum step
gz_step(struct mxt_reader *r, const unsigned char *in, size_t in_len,
    size_t *used, char *out, size_t room, size_t *made, const char **why)
{
	struct inflate_state *z = r->dec.isal;
	if (r->gz_failed != 0) {
		/* the damage, once the text before it is out */
		*used = 0;
		*made = gz_drain(z, out, room);
		if (z->tmp_out_processed < z->tmp_out_valid)
			return STEP_OK;
		*why = gz_why(r, r->gz_failed);
		return STEP_ERROR;
	}
	uint32_t in_n = in_len > UINT32_MAX ? UINT32_MAX : (uint32_t)in_len;
	z->next_in = (uint8_t *)(uintptr_t)in;
	z->avail_in = in_n;
	z->next_out = (uint8_t *)out;
	z->avail_out = room > UINT32_MAX ? UINT32_MAX : (uint32_t)room;
	uint32_t out_n = z->avail_out;
	int rc = isal_inflate(z);
	*used = in_n - z->avail_in;
	*made = out_n - z->avail_out;
	gz_keep_tail(r, in, *used);
	if (rc == ISAL_INVALID_BLOCK || rc == ISAL_INVALID_SYMBOL ||
	    rc == ISAL_INVALID_LOOKBACK) {
		*made += gz_drain(z, out + *made, room - *made);
		if (z->tmp_out_processed < z->tmp_out_valid) {
			r->gz_failed = rc;
			return STEP_OK;
		}
	}
	if (rc < 0) {
		*why = gz_why(r, rc);
		/* ISA-L takes the trailer whole: a bad CRC is placed where
		 * zlib meets it, before the length's four bytes */
		if (rc == ISAL_INCORRECT_CHECKSUM &&
		    z->block_state == ISAL_BLOCK_FINISH && gz_crc_failed(r))
			r->fail_back = 4;
		return STEP_ERROR;
	}
	return z->block_state == ISAL_BLOCK_FINISH ? STEP_END : STEP_OK;
}

static bool
gz_reset(struct mxt_reader *r)
{
	isal_inflate_reset(r->dec.isal); /* crc_flag is kept */
	r->gz_tail_len = 0;
	r->gz_failed = 0;
	return true;
}

static void
gz_end(struct mxt_reader *r)
{
	free(r->dec.isal);
	r->dec.isal = NULL;
}
#else
static bool
gz_init(struct mxt_reader *r)
{
	/* 16 + MAX_WBITS: a gzip wrapper, its CRC and length checked */
	return inflateInit2(&r->dec.zs, 16 + MAX_WBITS) == Z_OK;
}

static enum step
gz_step(struct mxt_reader *r, const unsigned char *in, size_t in_len,
    size_t *used, char *out, size_t room, size_t *made, const char **why)
{
	z_stream *z = &r->dec.zs;
	uInt in_n = in_len > UINT32_MAX ? UINT32_MAX : (uInt)in_len;
	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = in_n;
	z->next_out = (Bytef *)out;
	z->avail_out = (uInt)room;
	int rc = inflate(z, Z_NO_FLUSH);
	*used = in_n - z->avail_in;
	*made = room - z->avail_out;
	switch (rc) {
	case Z_STREAM_END:
		return STEP_END;
	case Z_DATA_ERROR:
	case Z_NEED_DICT:
		*why = z->msg ? z->msg : "invalid data";
		return STEP_ERROR;
	case Z_MEM_ERROR:
		*why = "out of memory";
		return STEP_ERROR;
	}
	/* Z_OK, Z_BUF_ERROR: more input (or room) is needed */
	return STEP_OK;
}

static bool gz_reset(struct mxt_reader *r) { return inflateReset(&r->dec.zs) == Z_OK; }
static void gz_end(struct mxt_reader *r) { inflateEnd(&r->dec.zs); }
#endif

static bool
bz_begins(const unsigned char *p, size_t n)
{
	return n >= 4 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' &&
	    p[3] >= '1' && p[3] <= '9';
}

static bool
bz_init(struct mxt_reader *r)
{
	memset(&r->dec.bz, 0, sizeof r->dec.bz);
	return BZ2_bzDecompressInit(&r->dec.bz, 0, 0) == BZ_OK;
}

static enum step
bz_step(struct mxt_reader *r, const unsigned char *in, size_t in_len,
    size_t *used, char *out, size_t room, size_t *made, const char **why)
{
	bz_stream *b = &r->dec.bz;
	unsigned in_n = in_len > UINT32_MAX ? UINT32_MAX : (unsigned)in_len;
	b->next_in = (char *)(uintptr_t)in;
	b->avail_in = in_n;
	b->next_out = out;
	b->avail_out = (unsigned)room;
	int rc = BZ2_bzDecompress(b);
	*used = in_n - b->avail_in;
	*made = room - b->avail_out;
	switch (rc) {
	case BZ_OK:
		return STEP_OK;
	case BZ_STREAM_END:
		return STEP_END;
	case BZ_DATA_ERROR:
		*why = "data integrity error (bad CRC or invalid data)";
		return STEP_ERROR;
	case BZ_DATA_ERROR_MAGIC:
		*why = "not bzip2 data";
		return STEP_ERROR;
	case BZ_MEM_ERROR:
		*why = "out of memory";
		return STEP_ERROR;
	}
	*why = "decompressor error";
	return STEP_ERROR;
}

static bool
bz_reset(struct mxt_reader *r)
{
	BZ2_bzDecompressEnd(&r->dec.bz);
	return bz_init(r);
}

static void bz_end(struct mxt_reader *r) { BZ2_bzDecompressEnd(&r->dec.bz); }

static bool
xz_begins(const unsigned char *p, size_t n)
{
	static const unsigned char m[] = {0xfd, '7', 'z', 'X', 'Z', 0};
	return n >= sizeof m && memcmp(p, m, sizeof m) == 0;
}

static bool
xz_init(struct mxt_reader *r)
{
	lzma_stream init = LZMA_STREAM_INIT;
	r->dec.xz = init;
	/* one stream at a time: the loop below follows concatenated ones */
	return lzma_stream_decoder(&r->dec.xz, UINT64_MAX, 0) == LZMA_OK;
}

static enum step
xz_step(struct mxt_reader *r, const unsigned char *in, size_t in_len,
    size_t *used, char *out, size_t room, size_t *made, const char **why)
{
	lzma_stream *x = &r->dec.xz;
	x->next_in = in;
	x->avail_in = in_len;
	x->next_out = (uint8_t *)out;
	x->avail_out = room;
	lzma_ret rc = lzma_code(x, LZMA_RUN);
	*used = in_len - x->avail_in;
	*made = room - x->avail_out;
	switch (rc) {
	case LZMA_OK:
	case LZMA_BUF_ERROR: /* no progress: more input is needed */
		return STEP_OK;
	case LZMA_STREAM_END:
		return STEP_END;
	case LZMA_DATA_ERROR:
		*why = "compressed data is corrupt (or its check failed)";
		return STEP_ERROR;
	case LZMA_FORMAT_ERROR:
		*why = "not xz data";
		return STEP_ERROR;
	case LZMA_OPTIONS_ERROR:
		*why = "unsupported options";
		return STEP_ERROR;
	case LZMA_MEM_ERROR:
		*why = "out of memory";
		return STEP_ERROR;
	default:
		*why = "decompressor error";
		return STEP_ERROR;
	}
}

static bool
xz_reset(struct mxt_reader *r)
{
	return lzma_stream_decoder(&r->dec.xz, UINT64_MAX, 0) == LZMA_OK;
}

static void xz_end(struct mxt_reader *r) { lzma_end(&r->dec.xz); }

static bool
zstd_begins(const unsigned char *p, size_t n)
{
	if (n < 4)
		return false;
	/* a frame, or a skippable frame (magic 0x184D2A50..5F) */
	return (p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) ||
	    ((p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d &&
	    p[3] == 0x18);
}

static bool
zstd_init(struct mxt_reader *r)
{
	return (r->dec.zstd = ZSTD_createDStream()) != NULL;
}

static enum step
zstd_step(struct mxt_reader *r, const unsigned char *in, size_t in_len,
    size_t *used, char *out, size_t room, size_t *made, const char **why)
{
	ZSTD_inBuffer ib = {in, in_len, 0};
	ZSTD_outBuffer ob = {out, room, 0};
	size_t rc = ZSTD_decompressStream(r->dec.zstd, &ob, &ib);
	*used = ib.pos;
	*made = ob.pos;
	if (ZSTD_isError(rc)) {
		*why = ZSTD_getErrorName(rc);
		return STEP_ERROR;
	}
	return rc == 0 ? STEP_END : STEP_OK;
}

static bool
zstd_reset(struct mxt_reader *r)
{
	return !ZSTD_isError(ZSTD_DCtx_reset(r->dec.zstd,
	    ZSTD_reset_session_only));
}

static void zstd_end(struct mxt_reader *r) { ZSTD_freeDStream(r->dec.zstd); }

static bool
lz4_begins(const unsigned char *p, size_t n)
{
	/* a frame (04 22 4d 18) or a skippable frame (5X 2a 4d 18); the
	 * legacy format of `lz4 -l` is not read */
	return n >= 4 && (p[0] == 0x04 || (p[0] & 0xf0) == 0x50) &&
	    p[1] == (p[0] == 0x04 ? 0x22 : 0x2a) && p[2] == 0x4d &&
	    p[3] == 0x18;
}

static bool
lz4_init(struct mxt_reader *r)
{
	return !LZ4F_isError(LZ4F_createDecompressionContext(&r->dec.lz4,
	    LZ4F_VERSION));
}

static enum step
lz4_step(struct mxt_reader *r, const unsigned char *in, size_t in_len,
    size_t *used, char *out, size_t room, size_t *made, const char **why)
{
	size_t src = in_len, dst = room;
	size_t rc = LZ4F_decompress(r->dec.lz4, out, &dst, in, &src, NULL);
	*used = src;
	*made = dst;
	if (LZ4F_isError(rc)) {
		*why = LZ4F_getErrorName(rc);
		return STEP_ERROR;
	}
	return rc == 0 ? STEP_END : STEP_OK;
}

static bool
lz4_reset(struct mxt_reader *r)
{
	LZ4F_resetDecompressionContext(r->dec.lz4);
	return true;
}

static void lz4_end(struct mxt_reader *r) { LZ4F_freeDecompressionContext(r->dec.lz4); }

/* Tried in order on the first bytes of an input. */
static const struct codec codecs[] = {
	{"gzip", 0, gz_begins, gz_init, gz_step, gz_reset, gz_end},
	{"bzip2", 0, bz_begins, bz_init, bz_step, bz_reset, bz_end},
	{"xz", 0, xz_begins, xz_init, xz_step, xz_reset, xz_end},
	{"zstd", 4096, zstd_begins, zstd_init, zstd_step, zstd_reset, zstd_end},
	{"lz4", 4096, lz4_begins, lz4_init, lz4_step, lz4_reset, lz4_end},
};

/* ---- opening ------------------------------------------------------------- */

static void
set_error(struct mxt_error *err, const char *source, long line,
    long column, const char *text)
{
	if (err == NULL)
		return;
	snprintf(err->source, sizeof err->source, "%s", source);
	err->line = line;
	err->column = column;
	snprintf(err->text, sizeof err->text, "%s", text);
}

struct mxt_reader *
mxt_reader_open(const char *path, struct mxt_error *err)
{
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	const char *name = is_stdin ? "<stdin>" : path;

	if (fd < 0) {
		set_error(err, name, 0, 0, strerror(errno));
		return NULL;
	}
	return mxt_reader_open_fd(fd, name, err);
}

struct mxt_reader *
mxt_reader_open_fd(int fd, const char *name, struct mxt_error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		memset(&st, 0, sizeof st);
	if (S_ISDIR(st.st_mode)) {
		set_error(err, name, 0, 0, "is a directory");
		close(fd);
		return NULL;
	}

	struct mxt_reader *r = xcalloc(1, sizeof *r);
	r->fd = fd;
	snprintf(r->name, sizeof r->name, "%s", name);
	r->mtime = S_ISREG(st.st_mode) ? st.st_mtime : 0;
	r->regular = S_ISREG(st.st_mode);
	r->buf = xmalloc(BUF_SIZE + 1);
#ifdef F_SETPIPE_SZ
	/* a larger pipe is only fewer turns: when refused (a user's pipes
	 * over their limit), the pipe is read as it is */
	if (S_ISFIFO(st.st_mode) && fcntl(fd, F_GETPIPE_SZ) < PIPE_CAPACITY)
		(void)fcntl(fd, F_SETPIPE_SZ, PIPE_CAPACITY);
#endif
	return r;
}

static void stop_ahead(struct mxt_reader *r);

void
mxt_reader_close(struct mxt_reader *r)
{
	if (r == NULL)
		return;
	stop_ahead(r);
	if (r->ready)
		r->codec->end(r);
	if (r->jentry != NULL)
		mxt_jentry_finish(r->jentry);
	free(r->jentry);
	free(r->jline);
	mxt_sdj_close(r->sdj);
	if (r->fd >= 0)
		close(r->fd);
	free(r->in);
	free(r->buf);
	free(r);
}

const char *mxt_reader_name(const struct mxt_reader *r) { return r->name; }
long mxt_reader_line_no(const struct mxt_reader *r) { return r->out_line_no; }
time_t mxt_reader_mtime(const struct mxt_reader *r) { return r->mtime; }

bool
mxt_reader_is_gzip(const struct mxt_reader *r)
{
	return r->codec == &codecs[0];
}

const char *
mxt_reader_compression(const struct mxt_reader *r)
{
	return r->codec != NULL ? r->codec->name : NULL;
}

long long
mxt_reader_offset(const struct mxt_reader *r)
{
	return r->text_total - (long long)(r->end - r->start);
}

int mxt_reader_fd(const struct mxt_reader *r) { return r->fd; }

int
mxt_reader_seek(struct mxt_reader *r, long long offset, long line_no,
    struct mxt_error *err)
{
	if (r->probed || r->sdj != NULL || r->end != 0 ||
	    lseek(r->fd, (off_t)offset, SEEK_SET) < 0) {
		set_error(err, r->name, 0, 0, r->probed || r->end != 0 ?
		    "cannot seek once reading has begun" : strerror(errno));
		return -1;
	}
	r->text_total = offset;
	r->line_no = r->out_line_no = line_no;
	return 0;
}

void
mxt_reader_set_ahead(struct mxt_reader *r, bool on)
{
	r->want_ahead = on;
}

bool
mxt_reader_reads_ahead(const struct mxt_reader *r)
{
	return r->ahead != NULL;
}

void
mxt_reader_set_live(struct mxt_reader *r, bool live)
{
	r->live = live;
}

void
mxt_reader_set_wait(struct mxt_reader *r, int (*wait)(void *arg, int fd),
    void *arg)
{
	r->wait = wait;
	r->wait_arg = arg;
}

const char *
mxt_compression_of(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
		if (codecs[i].begins(p, n))
			return codecs[i].name;
	return NULL;
}

/* ---- filling the line buffer --------------------------------------------- */

/* read(2), again after a signal. Before a read that may wait (not a
 * regular file), the wait hook may block until there are bytes, or
 * return non-zero to end the input here. Returns bytes read, 0 at the
 * end, -1. */
static ssize_t
read_some(struct mxt_reader *r, void *p, size_t n)
{
	ssize_t got;
	if (r->wait != NULL && !r->regular && r->wait(r->wait_arg, r->fd) != 0) {
		r->aborted = true;
		return 0;
	}
	do
		got = read(r->fd, p, n);
	while (got < 0 && errno == EINTR);
	return got;
}

/* Records damage found while decompressing; the error is returned once
 * the lines before it are used up. */
static void
fail(struct mxt_reader *r, const char *text, long long offset)
{
	r->failed = true;
	r->eof = true;
	snprintf(r->fail_text, sizeof r->fail_text, "%s", text);
	r->fail_offset = offset;
}

static void
fail_errno(struct mxt_reader *r, long long offset)
{
	char text[160];
	snprintf(text, sizeof text, "read error: %s", strerror(errno));
	fail(r, text, offset);
}

/* Byte offset in the file of the next compressed byte to decode. */
static long long
in_offset(const struct mxt_reader *r)
{
	return r->in_total - (long long)(r->in_len - r->in_pos);
}

/* More compressed bytes after those left unused, which move to the
 * front. Returns bytes read, 0 at the end of the file (or when in is
 * full), -1 (errno) on error. */
static ssize_t
read_in(struct mxt_reader *r)
{
	if (r->in_pos > 0) {
		memmove(r->in, r->in + r->in_pos, r->in_len - r->in_pos);
		r->in_len -= r->in_pos;
		r->in_pos = 0;
	}
	if (r->in_len == READ_CHUNK)
		return 0;
	ssize_t got = read_some(r, r->in + r->in_len,
	    READ_CHUNK - r->in_len);
	if (got == 0)
		r->in_eof = true;
	if (got > 0) {
		r->in_len += (size_t)got;
		r->in_total += got;
	}
	return got;
}

static bool start_ahead(struct mxt_reader *r);

/* Decides plain or a codec from the first bytes (fewer at a short end). */
static int
probe(struct mxt_reader *r, struct mxt_error *err)
{
	r->probed = true;
	r->in = xmalloc(READ_CHUNK);
	while (r->in_len < MAGIC_MAX && !r->in_eof) {
		if (read_in(r) < 0) {
			set_error(err, r->name, 0, 0, strerror(errno));
			return -1;
		}
		/* a pipe's first line arrives without waiting for more:
		 * a line of text is no magic */
		if (r->in_len > 0 && memchr(r->in, '\n', r->in_len) != NULL)
			break;
	}
	for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
		if (codecs[i].begins(r->in, r->in_len)) {
			r->codec = &codecs[i];
			/* a file that is still written is read in line:
			 * its end is no end */
			if (r->want_ahead && r->regular && !r->live &&
			    start_ahead(r))
				return 0;
			if (!r->codec->init(r)) {
				set_error(err, r->name, 0, 0,
				    "cannot allocate the decompressor");
				return -1;
			}
			r->ready = true;
			return 0;
		}
	/* Plain: what was read already is the first text. */
	memcpy(r->buf + r->end, r->in, r->in_len);
	r->end += r->in_len;
	r->text_total += (long long)r->in_len;
	free(r->in);
	r->in = NULL;
	r->in_len = 0;
	if (r->in_eof && !r->live)
		r->eof = true;
	r->dry = r->in_eof;
	return 0;
}

/* Plain: one read(2) into the free room of buf. */
static int
fill_plain(struct mxt_reader *r, size_t room, struct mxt_error *err)
{
	ssize_t got = read_some(r, r->buf + r->end, room);
	if (got < 0) {
		char text[256];
		snprintf(text, sizeof text, "read error: %s", strerror(errno));
		set_error(err, r->name, r->line_no, 0, text);
		return -1;
	}
	if (got == 0 && !r->live)
		r->eof = true;
	r->dry = got == 0;
	r->end += (size_t)got;
	r->text_total += got;
	return 0;
}

/* After a member: the next member, the end, or trailing bytes. */
static void
next_member(struct mxt_reader *r)
{
	for (;;) {
		while (r->in_len - r->in_pos < MAGIC_MAX && !r->in_eof)
			if (read_in(r) < 0) {
				fail_errno(r, in_offset(r));
				return;
			}
		const unsigned char *p = r->in + r->in_pos;
		size_t avail = r->in_len - r->in_pos;
		if (r->codec->begins(p, avail)) {
			if (!r->codec->reset(r))
				fail(r, "cannot reset the decompressor",
				    in_offset(r));
			r->member_done = false;
			return;
		}
		/* Zero padding (tape blocks, xz stream padding) is no data;
		 * anything else after the data is not read and said so. */
		size_t zeros = 0;
		while (zeros < avail && p[zeros] == 0)
			zeros++;
		if (zeros < avail) {
			char text[160];
			snprintf(text, sizeof text, "bytes after the end of the "
			    "%s data are not %s; they were not read",
			    r->codec->name, r->codec->name);
			fail(r, text, in_offset(r) + (long long)zeros);
			return;
		}
		r->in_pos = r->in_len;
		if (r->in_eof) {
			r->eof = true;
			return;
		}
	}
}

/* Compressed: decompress into the free room of buf until some text came
 * out, the input ended, or damage was found. */
static void
fill_codec(struct mxt_reader *r, size_t room)
{
	size_t before = r->end;
	while (r->end == before && !r->eof) {
		if (r->aborted) {
			r->eof = true;
			break;
		}
		if (r->member_done) {
			next_member(r);
			continue;
		}
		if (r->in_pos == r->in_len && !r->in_eof && read_in(r) < 0) {
			fail_errno(r, in_offset(r));
			break;
		}
		size_t used = 0, made = 0, in_n = r->in_len - r->in_pos;
		const char *why = NULL;
		if (r->codec->step_max > 0 && in_n > r->codec->step_max)
			in_n = r->codec->step_max;
		enum step rc = r->codec->step(r, r->in + r->in_pos, in_n, &used, r->buf + r->end, room, &made,
		    &why);
		r->in_pos += used;
		r->end += made;
		r->text_total += (long long)made;
		room -= made;
		if (rc == STEP_END) {
			r->member_done = true;
		} else if (rc == STEP_ERROR) {
			char text[160];
			snprintf(text, sizeof text, "%s data is corrupt: %s",
			    r->codec->name, why);
			fail(r, text, in_offset(r) - r->fail_back);
		} else if (used == 0 && made == 0) {
			/* no progress: the decoder needs more input */
			if (r->aborted) {
				r->eof = true; /* the wait hook ended it */
			} else if (r->in_eof) {
				char text[160];
				snprintf(text, sizeof text, "%s data ends "
				    "early: the file is truncated",
				    r->codec->name);
				fail(r, text, r->in_total);
			} else if (read_in(r) <= 0 && !r->in_eof) {
				fail(r, r->in_len == READ_CHUNK ?
				    "the decompressor takes no more input" :
				    strerror(errno), in_offset(r));
			}
		}
		if (room == 0)
			break;
	}
}

/* ---- read-ahead ---------------------------------------------------------- */

/* The decoding thread: fill_codec on the inner reader, a block at a time,
 * until the input ends (or the reader is closed). */
static void *
ahead_main(void *arg)
{
	struct ahead *a = arg;
	struct mxt_reader *in = a->inner;
	for (;;) {
		pthread_mutex_lock(&a->mu);
		while (a->filled - a->emptied == AHEAD_BLOCKS && !a->stop)
			pthread_cond_wait(&a->to_decoder, &a->mu);
		bool stop = a->stop;
		pthread_mutex_unlock(&a->mu);
		if (stop)
			return NULL;
		struct ahead_block *b = &a->blocks[a->filled % AHEAD_BLOCKS];
		in->buf = b->text;
		in->start = in->end = 0;
		while (in->end < AHEAD_BLOCK && !in->eof)
			fill_codec(in, AHEAD_BLOCK - in->end);
		b->len = in->end;
		b->taken = 0;
		b->last = in->eof;
		b->failed = in->failed;
		if (in->failed) {
			memcpy(b->fail_text, in->fail_text, sizeof b->fail_text);
			b->fail_offset = in->fail_offset;
		}
		in->buf = NULL;
		pthread_mutex_lock(&a->mu);
		a->filled++;
		pthread_cond_signal(&a->to_reader);
		pthread_mutex_unlock(&a->mu);
		if (b->last)
			return NULL;
	}
}

/* Frees a: its blocks, its lock, its inner reader and decoder (not the
 * descriptor, which is the outer reader's). */
static void
free_ahead(struct ahead *a)
{
	a->inner->fd = -1;
	mxt_reader_close(a->inner);
	for (size_t i = 0; i < AHEAD_BLOCKS; i++)
		free(a->blocks[i].text);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->to_decoder);
	pthread_cond_destroy(&a->to_reader);
	free(a);
}

/*
 * From probe, the codec found: hands the descriptor's reading, the bytes
 * read so far and a decoder of its own to an inner reader on a thread.
 * False (r unchanged) when the decoder or the thread cannot be made: r
 * then decompresses in line.
 */
static bool
start_ahead(struct mxt_reader *r)
{
	struct mxt_reader *in = xcalloc(1, sizeof *in);
	in->fd = r->fd; /* r's still: closed by r, never read by it again */
	memcpy(in->name, r->name, sizeof in->name);
	in->regular = true;
	in->probed = true;
	in->codec = r->codec;
	in->in = r->in;
	in->in_pos = r->in_pos;
	in->in_len = r->in_len;
	in->in_eof = r->in_eof;
	in->in_total = r->in_total;
	if (!in->codec->init(in)) {
		free(in);
		return false;
	}
	in->ready = true;
	struct ahead *a = xcalloc(1, sizeof *a);
	a->inner = in;
	for (size_t i = 0; i < AHEAD_BLOCKS; i++)
		a->blocks[i].text = xmalloc(AHEAD_BLOCK);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->to_decoder, NULL);
	pthread_cond_init(&a->to_reader, NULL);
	if (pthread_create(&a->thread, NULL, ahead_main, a) != 0) {
		in->in = NULL; /* still r's */
		free_ahead(a);
		return false;
	}
	r->in = NULL; /* the inner reader's now */
	r->in_pos = r->in_len = 0;
	r->ahead = a;
	return true;
}

/* Read-ahead: text from the next block into the free room of buf; the
 * end of the input (and its damage) once the last block is used up. */
static void
fill_ahead(struct mxt_reader *r, size_t room)
{
	struct ahead *a = r->ahead;
	pthread_mutex_lock(&a->mu);
	while (a->filled == a->emptied)
		pthread_cond_wait(&a->to_reader, &a->mu);
	pthread_mutex_unlock(&a->mu);
	struct ahead_block *b = &a->blocks[a->emptied % AHEAD_BLOCKS];
	size_t n = b->len - b->taken;
	if (n > room)
		n = room;
	memcpy(r->buf + r->end, b->text + b->taken, n);
	b->taken += n;
	r->end += n;
	r->text_total += (long long)n;
	if (b->taken < b->len)
		return;
	if (b->last) {
		/* the thread has ended; the block stays */
		r->eof = true;
		if (b->failed)
			fail(r, b->fail_text, b->fail_offset);
		return;
	}
	pthread_mutex_lock(&a->mu);
	a->emptied++;
	pthread_cond_signal(&a->to_decoder);
	pthread_mutex_unlock(&a->mu);
}

/* Ends the decoding thread (at once when it is ahead) and frees it. */
static void
stop_ahead(struct mxt_reader *r)
{
	struct ahead *a = r->ahead;
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = true;
	pthread_cond_signal(&a->to_decoder);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thread, NULL);
	free_ahead(a);
	r->ahead = NULL;
}

/* The journal: the next entry's line, and a newline, into buf. */
static int
fill_journal(struct mxt_reader *r, struct mxt_error *err)
{
	size_t len = 0;
	if (BUF_SIZE - r->end < MXT_LINE_MAX + 1024)
		return 0; /* the lines in buf are taken first */
	int rc = mxt_sdj_next(r->sdj, r->buf + r->end, MXT_LINE_MAX + 1024,
	    &len, err);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		r->eof = true;
		return 0;
	}
	r->buf[r->end + len] = '\n';
	r->end += len + 1;
	r->text_total += (long long)len + 1;
	return 0;
}

/* Reads more bytes after r->end. Returns 0, or -1 on an error that ends
 * the input at once (err filled). Damage after some output is deferred
 * (r->failed) until the lines before it have been returned. */
static int
fill(struct mxt_reader *r, struct mxt_error *err)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->sdj != NULL)
		return fill_journal(r, err);
	if (!r->probed)
		return probe(r, err);
	size_t room = BUF_SIZE - r->end;
	if (room > READ_CHUNK)
		room = READ_CHUNK;
	if (r->codec == NULL)
		return fill_plain(r, room, err);
	if (r->ahead != NULL)
		fill_ahead(r, room);
	else
		fill_codec(r, room);
	return 0;
}

/* The next line of the input as it is (mxt_reader_next without the
 * journal forms). */
static int
next_raw(struct mxt_reader *r, const char **line, size_t *len,
    bool *truncated, struct mxt_error *err)
{
	for (;;) {
		char *p = r->buf + r->start;
		size_t avail = r->end - r->start;
		char *nl = avail ? memchr(p, '\n', avail) : NULL;

		if (nl != NULL) {
			size_t n = (size_t)(nl - p);
			r->start += n + 1;
			if (r->skipping) {
				r->skipping = false;
				continue;
			}
			if (n > 0 && p[n - 1] == '\r')
				n--;
			*truncated = n > MXT_LINE_MAX;
			if (*truncated)
				n = MXT_LINE_MAX;
			p[n] = '\0';
			r->line_no++;
			*line = p;
			*len = n;
			return 1;
		}
		if (r->skipping) {
			r->start = r->end = 0;
		} else if (avail >= MXT_LINE_MAX) {
			/* Cut the line; the rest is skipped up to its end. */
			p[MXT_LINE_MAX] = '\0';
			r->start += MXT_LINE_MAX;
			r->skipping = true;
			r->line_no++;
			*line = p;
			*len = MXT_LINE_MAX;
			*truncated = true;
			return 1;
		}
		if (r->failed) {
			/* Every complete line before the damage is out; a
			 * partial one may be cut anywhere, so it is left
			 * out and counted in the message. */
			char text[256];
			if (avail > 0 && !r->skipping)
				snprintf(text, sizeof text, "%s; a partial line "
				    "of %zu bytes was left out", r->fail_text,
				    avail);
			else
				snprintf(text, sizeof text, "%s", r->fail_text);
			set_error(err, r->name, r->line_no,
			    (long)r->fail_offset, text);
			r->start = r->end = 0;
			return -1;
		}
		if (r->dry && r->live && r->probed && r->codec == NULL) {
			/* live: a partial line waits for the rest of it */
			r->dry = false;
			return 0;
		}
		if (r->eof) {
			/* stopped: a partial line is not read as a line */
			if (avail == 0 || r->skipping || r->aborted)
				return 0;
			/* last line without its newline */
			size_t n = avail;
			if (p[n - 1] == '\r')
				n--;
			p[n] = '\0';
			r->start = r->end;
			r->line_no++;
			*line = p;
			*len = n;
			*truncated = false;
			return 1;
		}
		if (fill(r, err) < 0)
			return -1;
	}
}

/* n more bytes in buf after r->start, unless the input ends first.
 * Moves buf's contents (pointers into it go stale). n <= MXT_LINE_MAX. */
static bool
want_bytes(struct mxt_reader *r, size_t n, struct mxt_error *err)
{
	while (r->end - r->start < n && !r->eof)
		if (fill(r, err) < 0)
			return false;
	return r->end - r->start >= n;
}

/* Skips n bytes of input (a binary field too large to keep), counting
 * its newlines as lines. */
static void
skip_bytes(struct mxt_reader *r, unsigned long long n, struct mxt_error *err)
{
	while (n > 0) {
		if (r->end == r->start && (r->eof || fill(r, err) < 0 ||
		    r->end == r->start))
			return;
		size_t k = r->end - r->start;
		if (k > n)
			k = (size_t)n;
		for (size_t i = 0; i < k; i++)
			r->line_no += r->buf[r->start + i] == '\n';
		r->start += k;
		n -= k;
	}
}

/*
 * A binary field of an export entry: after the line with its name, a
 * little-endian 64-bit length, the bytes, a newline (systemd's
 * JOURNAL_EXPORT_FORMATS.md). Its newlines count as lines, so line
 * numbers stay those of the file.
 */
static void
export_binary(struct mxt_reader *r, const char *name, size_t nlen,
    struct mxt_error *err)
{
	char nm[64];
	if (nlen >= sizeof nm)
		nlen = sizeof nm - 1;
	memcpy(nm, name, nlen); /* name is in buf, which may move */
	if (!want_bytes(r, 8, err))
		return;
	const unsigned char *p = (const unsigned char *)r->buf + r->start;
	unsigned long long n = 0;
	for (int i = 7; i >= 0; i--)
		n = n << 8 | p[i];
	r->start += 8;
	if (n > MXT_LINE_MAX || !want_bytes(r, (size_t)n + 1, err)) {
		skip_bytes(r, n + 1, err);
		return;
	}
	const char *v = r->buf + r->start;
	for (size_t i = 0; i <= n; i++)
		r->line_no += v[i] == '\n';
	mxt_jentry_set(r->jentry, nm, nlen, v, (size_t)n);
	r->start += (size_t)n + 1;
}

/* True for a field name of the export format: upper case, digits, '_'. */
static bool
field_name(const char *p, size_t n)
{
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(p[i] >= 'A' && p[i] <= 'Z') && !is_digit(p[i]) &&
		    p[i] != '_')
			return false;
	return true;
}

static void
journal_ready(struct mxt_reader *r)
{
	if (r->jentry != NULL)
		return;
	r->jentry = xmalloc(sizeof *r->jentry);
	mxt_jentry_init(r->jentry);
	r->jline = xmalloc(MXT_LINE_MAX + 1024);
}

/* The collected export entry as a line; false when it had no MESSAGE. */
static bool
export_line(struct mxt_reader *r, const char **line, size_t *len)
{
	r->in_export = false;
	*len = mxt_jentry_line(r->jentry, r->jline, MXT_LINE_MAX + 1024);
	if (*len == 0)
		return false;
	*line = r->jline;
	r->out_line_no = r->export_line;
	return true;
}

/*
 * Lines as they are, except the journal's forms, found line by line:
 * a JSON object with a MESSAGE (`journalctl -o json`, json-seq) becomes
 * its entry's line; an export entry (from a line "__CURSOR=" or
 * "__REALTIME_TIMESTAMP=" to an empty line or the end) becomes one line
 * numbered as its first line (journal.c).
 */
int
mxt_reader_next(struct mxt_reader *r, const char **line, size_t *len,
    bool *truncated, struct mxt_error *err)
{
	for (;;) {
		int rc = next_raw(r, line, len, truncated, err);
		if (rc <= 0) {
			if (r->in_export && rc == 0 && export_line(r, line,
			    len)) {
				*truncated = false;
				return 1;
			}
			r->in_export = false;
			return rc;
		}
		const char *p = *line, *end = p + *len;
		if (r->in_export) {
			if (*len == 0) {
				if (export_line(r, line, len))
					return 1;
				continue;
			}
			const char *eq = memchr(p, '=', *len);
			if (eq != NULL && field_name(p, (size_t)(eq - p))) {
				mxt_jentry_set(r->jentry, p, (size_t)(eq - p),
				    eq + 1, (size_t)(end - eq - 1));
				continue;
			}
			if (eq == NULL && field_name(p, *len)) {
				export_binary(r, p, *len, err);
				continue;
			}
			/* not a field: the entry ends, this line is itself */
			r->in_export = false;
		} else if (mxt_journal_export_start(p, *len)) {
			journal_ready(r);
			mxt_jentry_clear(r->jentry);
			r->in_export = true;
			r->export_line = r->line_no;
			const char *eq = memchr(p, '=', *len);
			mxt_jentry_set(r->jentry, p, (size_t)(eq - p), eq + 1,
			    (size_t)(end - eq - 1));
			continue;
		} else if (*len > 1 && (p[0] == '{' || p[0] == 0x1e)) {
			journal_ready(r);
			if (mxt_journal_json(p, *len, r->jentry)) {
				*len = mxt_jentry_line(r->jentry, r->jline,
				    MXT_LINE_MAX + 1024);
				*line = r->jline;
				*truncated = false;
			}
		}
		r->out_line_no = r->line_no;
		return 1;
	}
}

struct mxt_reader *
mxt_reader_open_journal(const char *where, bool has_since, int64_t since,
    bool has_until, int64_t until, struct mxt_error *err)
{
	struct mxt_sdj *s = mxt_sdj_open(where, has_since, since, has_until,
	    until, err);
	if (s == NULL)
		return NULL;
	struct mxt_reader *r = xcalloc(1, sizeof *r);
	r->fd = -1;
	r->sdj = s;
	r->probed = true;
	snprintf(r->name, sizeof r->name, "%s", where != NULL ? where :
	    "journal");
	r->buf = xmalloc(BUF_SIZE + 1);
	return r;
}
