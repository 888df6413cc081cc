package io.toonstore;

/**
 * What went wrong, one constant per {@code TOONSTORE_ERR_*} code of the C API
 * ({@code include/toonstore.h}), with the same name and numeric value.
 *
 * <p>{@link ToonStoreException#code()} returns one of these. {@link #UNKNOWN}
 * stands for a code that this version of the binding does not know (a newer
 * native library).
 */
public enum ErrorCode {
    /** {@code TOONSTORE_ERR_INVALID_ARG}: an argument was invalid (negative row id, bad option). */
    INVALID_ARG(-1),
    /** {@code TOONSTORE_ERR_NOT_FOUND}: the row id was never assigned, or the row was deleted. */
    NOT_FOUND(-2),
    /** {@code TOONSTORE_ERR_IO}: the operating system reported an I/O error. */
    IO(-3),
    /** {@code TOONSTORE_ERR_CORRUPT}: a file of the database failed a checksum or structural check. */
    CORRUPT(-4),
    /** {@code TOONSTORE_ERR_LOCKED}: another process (or handle) has the database open for writing. */
    LOCKED(-5),
    /** {@code TOONSTORE_ERR_TOO_LARGE}: a value or batch exceeds the configured or format limit. */
    TOO_LARGE(-6),
    /** {@code TOONSTORE_ERR_READ_ONLY}: a write on a read-only handle. */
    READ_ONLY(-7),
    /** {@code TOONSTORE_ERR_VERSION}: a format or interface version this library does not know. */
    VERSION(-8),
    /** {@code TOONSTORE_ERR_NOMEM}: memory could not be allocated. */
    NOMEM(-9),
    /** {@code TOONSTORE_ERR_INTERNAL}: a bug in the library (a caught panic). */
    INTERNAL(-10),
    /** {@code TOONSTORE_ERR_CLOSED}: the handle (database, scan, snapshot or batch) was closed. */
    CLOSED(-11),
    /** {@code TOONSTORE_ERR_BUFFER_TOO_SMALL}: a caller's buffer is too small for the row. */
    BUFFER_TOO_SMALL(-12),
    /** {@code TOONSTORE_ERR_POISONED}: an earlier fsync failed; reopen the database to write again. */
    POISONED(-13),
    /** {@code TOONSTORE_ERR_FORKED}: the handle was inherited by a forked child process. */
    FORKED(-14),
    /** A code this version of the binding does not know. */
    UNKNOWN(Integer.MIN_VALUE);

    private static final ErrorCode[] BY_VALUE = new ErrorCode[16];

    static {
        for (ErrorCode c : values()) {
            if (c != UNKNOWN) {
                BY_VALUE[-c.value] = c;
            }
        }
    }

    private final int value;

    ErrorCode(int value) {
        this.value = value;
    }

    /**
     * The numeric C code, e.g. {@code -5} for {@link #LOCKED}.
     *
     * @return the negative {@code TOONSTORE_ERR_*} value ({@link Integer#MIN_VALUE} for {@link #UNKNOWN})
     */
    public int value() {
        return value;
    }

    /**
     * The C name of the code, e.g. {@code "TOONSTORE_ERR_LOCKED"}.
     *
     * @return the name of the {@code #define} in {@code toonstore.h}
     */
    public String cName() {
        return "TOONSTORE_ERR_" + name();
    }

    /**
     * The constant for a numeric C code.
     *
     * @param value a {@code TOONSTORE_ERR_*} value
     * @return its constant, or {@link #UNKNOWN} for a value this binding does not know
     */
    public static ErrorCode fromValue(int value) {
        if (value < 0 && value > -BY_VALUE.length && BY_VALUE[-value] != null) {
            return BY_VALUE[-value];
        }
        return UNKNOWN;
    }
}
